using System.Security.Cryptography;
using Waku.StoreForensics.Net.Multiformats;
using Waku.StoreForensics.Reseed;
using Waku.StoreForensics.Schema;
using Waku.StoreForensics.Store;
using Waku.StoreForensics.Tests.Store.Interop;
using Waku.StoreForensics.Scanning;

namespace Waku.StoreForensics.Tests.Reseed;

/// <summary>
/// <see cref="StoreReseeder"/> against the js-libp2p store peer (tests/interop/js-store): the local store ends equal,
/// row for row, to the store nwaku would have written from the whole history, and only missing messages travel.
/// </summary>
[Collection("js-libp2p")]
public class StoreReseederTests
{
    private static CancellationToken Ct(int seconds = 60) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    private static ReseedOptions Options(bool dryRun = false, int pageSize = 100, string? pubsub = null) => new()
    {
        DryRun = dryRun,
        PageSize = pageSize,
        PubsubTopic = pubsub,
        Client = new StoreClientOptions { RequestTimeout = TimeSpan.FromSeconds(5), TotalTimeout = TimeSpan.FromSeconds(30), MaxRetries = 0 },
    };

    /// <summary>Messages with a timestamp and a payload (no digest collisions in any layout).</summary>
    private static List<ServedMessage> History(int count) =>
        JsStorePeer.MakeMessages(count).Where(m => m.Timestamp > 0 && m.Payload.Length > 0).ToList();

    private static (List<ServedMessage> Local, List<ServedMessage> Missing) Split(List<ServedMessage> history, int every = 3) =>
        (history.Where((_, i) => i % every != 1).ToList(), history.Where((_, i) => i % every == 1).ToList());

    [Fact]
    public async Task HashDiff_FetchesOnlyTheMissingMessages_AndTheStoreEqualsTheWholeHistory()
    {
        using var dir = new TempDir();
        var history = History(260);
        var (local, missing) = Split(history);
        string db = ReseedTestStores.Create(dir.File("store.sqlite3"), MessageSchemaId.S10, local);
        string expected = ReseedTestStores.Create(dir.File("expected.sqlite3"), MessageSchemaId.S10, history);
        await using var peer = await JsStorePeer.StartAsync(history);

        var report = await StoreReseeder.ReseedAsync(db, [peer.Address], Options(), cancellationToken: Ct());

        Assert.True(report.Complete, string.Join("; ", report.Peers.Select(p => p.Error)));
        Assert.Equal(ReseedMethod.HashDiff, report.Peers[0].Method);
        Assert.Equal(StoreQueryClient.ProtocolId, report.Peers[0].Protocol);
        Assert.Equal(missing.Count, report.Missing);
        Assert.Equal(missing.Count, report.Inserted);
        Assert.Equal(0, report.AlreadyPresent);
        Assert.Empty(report.Rejected);
        Assert.Equal(local.Count, report.LocalRowsBefore);
        Assert.Equal(history.Count, report.LocalRowsAfter);
        Assert.Equal("healthy", report.ScanVerdict);
        Assert.NotEqual(report.Before[0].Sha256, report.After[0].Sha256);
        Assert.Equal(ReseedTestStores.Rows(expected, MessageSchemaId.S10), ReseedTestStores.Rows(db, MessageSchemaId.S10));

        // Data travelled only for the missing messages: every include_data request was a lookup of missing hashes.
        var requests = await peer.RequestsAsync(history.Count / 100 + 1 + (missing.Count + 99) / 100);
        // proto3 leaves a false include_data out: the peer logs it as null.
        var lookups = requests.Where(r => r.GetProperty("includeData").ValueKind == System.Text.Json.JsonValueKind.True).ToList();
        Assert.All(lookups, r => Assert.True(r.GetProperty("messageHashes").GetArrayLength() > 0));
        Assert.Equal(missing.Select(m => m.HashHex).Order(), lookups.SelectMany(r => r.GetProperty("messageHashes").EnumerateArray().Select(h => h.GetString()!)).Order());
    }

    [Fact]
    public async Task DryRun_ListsTheMissingHashes_AndLeavesTheFileByteForByte()
    {
        using var dir = new TempDir();
        var history = History(120);
        var (local, missing) = Split(history, every: 4);
        string db = ReseedTestStores.Create(dir.File("store.sqlite3"), MessageSchemaId.S9, local);
        byte[] before = await File.ReadAllBytesAsync(db);
        await using var peer = await JsStorePeer.StartAsync(history);

        var report = await StoreReseeder.ReseedAsync(db, [peer.Address], Options(dryRun: true), cancellationToken: Ct());

        Assert.True(report.Complete);
        Assert.True(report.DryRun);
        Assert.Equal(0, report.Inserted);
        Assert.Equal(missing.Count, report.Missing);
        Assert.Equal(missing.Select(m => m.HashHex).Order(), report.MissingHashes.Order());
        Assert.Equal(before, await File.ReadAllBytesAsync(db));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(before)), report.After[0].Sha256);
        Assert.False(File.Exists(db + "-wal"));
    }

    [Fact]
    public async Task InterruptedReseed_RunAgain_ContinuesAndNeverStoresAMessageTwice()
    {
        using var dir = new TempDir();
        var history = History(260);
        var (local, missing) = Split(history);
        string db = ReseedTestStores.Create(dir.File("store.sqlite3"), MessageSchemaId.S10, local);
        string expected = ReseedTestStores.Create(dir.File("expected.sqlite3"), MessageSchemaId.S10, history);

        // Page size 50: hash lists take 5 requests, the lookups start at request 6; the second lookup breaks.
        ReseedReport first;
        await using (var broken = await JsStorePeer.StartAsync(history, new { fault = "reset", faultPage = 7 }))
        {
            first = await StoreReseeder.ReseedAsync(db, [broken.Address], Options(pageSize: 50), cancellationToken: Ct());
        }

        Assert.False(first.Complete);
        Assert.Equal(50, first.Inserted);
        Assert.NotNull(first.Peers[0].Error);

        await using var healthy = await JsStorePeer.StartAsync(history);
        var second = await StoreReseeder.ReseedAsync(db, [healthy.Address], Options(pageSize: 50), cancellationToken: Ct());

        Assert.True(second.Complete);
        Assert.Equal(missing.Count - 50, second.Missing);
        Assert.Equal(missing.Count - 50, second.Inserted);
        Assert.Equal(ReseedTestStores.Rows(expected, MessageSchemaId.S10), ReseedTestStores.Rows(db, MessageSchemaId.S10));

        // A third run finds nothing to do.
        var third = await StoreReseeder.ReseedAsync(db, [healthy.Address], Options(pageSize: 50), cancellationToken: Ct());
        Assert.Equal(0, third.Missing);
        Assert.Equal(third.Before[0].Sha256, third.After[0].Sha256);
    }

    [Fact]
    public async Task FailingPeer_TheNextPeerContinuesInTheSameRun()
    {
        using var dir = new TempDir();
        var history = History(260);
        var (local, missing) = Split(history);
        string db = ReseedTestStores.Create(dir.File("store.sqlite3"), MessageSchemaId.S10, local);
        string expected = ReseedTestStores.Create(dir.File("expected.sqlite3"), MessageSchemaId.S10, history);
        await using var broken = await JsStorePeer.StartAsync(history, new { fault = "garbage", faultPage = 7 });
        await using var healthy = await JsStorePeer.StartAsync(history);
        var unreachable = Multiaddress.Parse("/ip4/127.0.0.1/tcp/9");

        var report = await StoreReseeder.ReseedAsync(db, [unreachable, broken.Address, healthy.Address], Options(pageSize: 50), cancellationToken: Ct());

        Assert.True(report.Complete);
        Assert.Equal(3, report.Peers.Count);
        Assert.False(report.Peers[0].Completed);
        Assert.Equal(0, report.Peers[0].Pages);
        Assert.False(report.Peers[1].Completed);
        Assert.Equal(50, report.Peers[1].Inserted);
        Assert.True(report.Peers[2].Completed);
        Assert.Equal(missing.Count - 50, report.Peers[2].Inserted);
        Assert.Equal(missing.Count, report.Inserted);
        Assert.Equal(ReseedTestStores.Rows(expected, MessageSchemaId.S10), ReseedTestStores.Rows(db, MessageSchemaId.S10));
    }

    [Fact]
    public async Task Filters_OnlyTheMissingMessagesInTopicAndTimeRangeAreAdded()
    {
        using var dir = new TempDir();
        var history = History(240);
        var (local, missing) = Split(history);
        string topic = JsStorePeer.ContentTopics[1];
        long from = history[60].Timestamp, to = history[180].Timestamp;
        bool InRange(ServedMessage m) => m.ContentTopic == topic && m.Timestamp >= from && m.Timestamp <= to;
        string db = ReseedTestStores.Create(dir.File("store.sqlite3"), MessageSchemaId.S10, local);
        string expected = ReseedTestStores.Create(dir.File("expected.sqlite3"), MessageSchemaId.S10, local.Concat(missing.Where(InRange)));
        await using var peer = await JsStorePeer.StartAsync(history);

        var report = await StoreReseeder.ReseedAsync(db, [peer.Address], Options() with { ContentTopics = [topic], TimeStart = from, TimeEnd = to }, cancellationToken: Ct());

        Assert.True(report.Complete);
        Assert.Equal(missing.Count(InRange), report.Inserted);
        Assert.True(report.Inserted > 0 && report.Inserted < missing.Count);
        Assert.Equal(history.Count(InRange), report.Peers[0].RemoteMessages);
        Assert.Equal(ReseedTestStores.Rows(expected, MessageSchemaId.S10), ReseedTestStores.Rows(db, MessageSchemaId.S10));
    }

    [Fact]
    public async Task LayoutWithoutMessageHashes_FetchesTheRangeAndInsertsByTheLayoutsKey()
    {
        // v0.4 (S1) keeps no sender timestamp, so the network hash of a row cannot be computed: the whole range is
        // fetched and compared by the layout's own key, SHA-256(contentTopic ‖ payload).
        using var dir = new TempDir();
        var history = History(150);
        var (local, missing) = Split(history);
        string db = ReseedTestStores.Create(dir.File("store.sqlite3"), MessageSchemaId.S1, local);
        string expected = ReseedTestStores.Create(dir.File("expected.sqlite3"), MessageSchemaId.S1, history);
        await using var peer = await JsStorePeer.StartAsync(history);

        var report = await StoreReseeder.ReseedAsync(db, [peer.Address], Options(), cancellationToken: Ct());

        Assert.True(report.Complete);
        Assert.Equal(ReseedMethod.FullFetch, report.Peers[0].Method);
        Assert.Equal(missing.Count, report.Inserted);
        Assert.Equal(local.Count, report.AlreadyPresent);
        Assert.Equal(ReseedTestStores.Rows(expected, MessageSchemaId.S1), ReseedTestStores.Rows(db, MessageSchemaId.S1));
    }

    [Fact]
    public async Task LegacyOnlyPeer_ReseedsOnePubsubTopicOverStoreV2()
    {
        using var dir = new TempDir();
        var history = History(200);
        var (local, missing) = Split(history);
        string db = ReseedTestStores.Create(dir.File("store.sqlite3"), MessageSchemaId.S9, local);
        string expected = ReseedTestStores.Create(dir.File("expected.sqlite3"), MessageSchemaId.S9,
            local.Concat(missing.Where(m => m.PubsubTopic == JsStorePeer.PubsubA)));
        await using var peer = await JsStorePeer.StartAsync(history, new { legacyOnly = true });

        var withoutTopic = await StoreReseeder.ReseedAsync(db, [peer.Address], Options(), cancellationToken: Ct());
        Assert.False(withoutTopic.Complete);
        Assert.Contains("--pubsub-topic", withoutTopic.Peers[0].Error, StringComparison.Ordinal);
        Assert.Equal(0, withoutTopic.Inserted);

        var report = await StoreReseeder.ReseedAsync(db, [peer.Address], Options(pubsub: JsStorePeer.PubsubA), cancellationToken: Ct());

        Assert.True(report.Complete, report.Peers[0].Error);
        Assert.Equal(LegacyStoreClient.ProtocolId, report.Peers[0].Protocol);
        Assert.Equal(ReseedMethod.FullFetch, report.Peers[0].Method);
        Assert.Equal(missing.Count(m => m.PubsubTopic == JsStorePeer.PubsubA), report.Inserted);
        Assert.Equal(ReseedTestStores.Rows(expected, MessageSchemaId.S9), ReseedTestStores.Rows(db, MessageSchemaId.S9));
    }

    [Fact]
    public async Task TamperedMessages_AreRejectedAndNeverStored()
    {
        using var dir = new TempDir();
        // Empty payloads included: S10 keys by message hash, so they collide with nothing.
        var history = JsStorePeer.MakeMessages(160).Where(m => m.Timestamp > 0).ToList();
        var (local, missing) = Split(history);
        // The peer serves a tampered payload under the true hash for three of the missing messages.
        var tampered = missing.Take(3).ToList();
        string db = ReseedTestStores.Create(dir.File("store.sqlite3"), MessageSchemaId.S10, local);
        string expected = ReseedTestStores.Create(dir.File("expected.sqlite3"), MessageSchemaId.S10, history.Except(tampered));
        await using var peer = await JsStorePeer.StartAsync(history, new { fault = "wrong-hash", wrongHashes = tampered.Select(m => history.IndexOf(m)).ToArray() });

        var report = await StoreReseeder.ReseedAsync(db, [peer.Address], Options(), cancellationToken: Ct());

        Assert.True(report.Complete);
        Assert.True(report.Rejected.Count == 3, string.Join("\n", report.Rejected));
        Assert.Equal(tampered.Select(m => m.HashHex).Order(), report.Rejected.Select(r => r.MessageHash).Order());
        Assert.All(report.Rejected, r => Assert.Contains(nameof(MessageRejection.HashMismatch), r.Reason, StringComparison.Ordinal));
        Assert.Equal(ReseedTestStores.Rows(expected, MessageSchemaId.S10), ReseedTestStores.Rows(db, MessageSchemaId.S10));
    }

    [Fact]
    public async Task DatabaseLockedByANode_EndsWithATypedErrorAndNothingHalfWritten()
    {
        using var dir = new TempDir();
        var history = History(120);
        var (local, _) = Split(history);
        string db = ReseedTestStores.Create(dir.File("store.sqlite3"), MessageSchemaId.S10, local);
        await using var peer = await JsStorePeer.StartAsync(history);
        using var node = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={db};Pooling=False");
        node.Open();
        using (var begin = node.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE";
            begin.ExecuteNonQuery();
        }

        var e = await Assert.ThrowsAsync<WriteRefusedException>(() =>
            StoreReseeder.ReseedAsync(db, [peer.Address], Options() with { Force = true, BusyTimeout = TimeSpan.FromSeconds(1) }, cancellationToken: Ct()));

        Assert.Equal(WriteRefusal.DatabaseLocked, e.Reason);
        Assert.Contains("run reseed again", e.Message, StringComparison.Ordinal);
        using (var rollback = node.CreateCommand())
        {
            rollback.CommandText = "ROLLBACK";
            rollback.ExecuteNonQuery();
        }

        node.Close();
        Assert.Equal(local.Count, ReseedTestStores.Rows(db, MessageSchemaId.S10).Count);
    }

    [Fact]
    public async Task DamagedDatabase_IsRefusedWithoutForce_AndLeftUntouched()
    {
        using var dir = new TempDir();
        string db = dir.File("store.sqlite3");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "samples", "corrupt-dbs", "zeroed-interior-page-v0.4", "store.sqlite3"), db);
        byte[] before = await File.ReadAllBytesAsync(db);

        var e = await Assert.ThrowsAsync<WriteRefusedException>(() =>
            StoreReseeder.ReseedAsync(db, [Multiaddress.Parse("/ip4/127.0.0.1/tcp/9")], Options(), cancellationToken: Ct()));

        Assert.Equal(WriteRefusal.DatabaseDamaged, e.Reason);
        Assert.Contains("--force", e.Message, StringComparison.Ordinal);
        Assert.NotNull(e.Scan);
        Assert.False(e.Scan!.Healthy);
        Assert.Equal(before, await File.ReadAllBytesAsync(db));
    }
}
