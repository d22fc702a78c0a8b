using System.Text.Json;
using Microsoft.Data.Sqlite;
using Waku.StoreForensics.Net;
using Waku.StoreForensics.Net.Crypto;
using Waku.StoreForensics.Net.Multiformats;
using Waku.StoreForensics.PeerExchange;
using Waku.StoreForensics.Scanning;
using Waku.StoreForensics.Schema;
using Waku.StoreForensics.Schema.Protos;
using Waku.StoreForensics.Tests.Cli;
using Waku.StoreForensics.Tests.Net.Interop;
using Waku.StoreForensics.Validation;

namespace Waku.StoreForensics.Tests.PeerExchange.Interop;

/// <summary>
/// Our peer exchange client and reseed against a js-libp2p 2.10 peer (tests/interop/js-peer-exchange/px-peer.mjs)
/// whose ENRs are created and signed by @waku/enr 0.0.33; what we compare against is what @waku/enr decoded.
/// </summary>
[Collection("js-libp2p")]
public class JsPeerExchangeInteropTests
{
    private static readonly string Folder = JsPeer.FindDirectory("js-peer-exchange", "px-peer.mjs");

    private static CancellationToken Ct(int seconds = 10) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    private sealed class Served : IAsyncDisposable
    {
        public required JsPeer Js { get; init; }

        public required List<JsonElement> Records { get; init; }

        public required JsonElement Listening { get; init; }

        public Multiaddress Address => Multiaddress.Parse(Listening.GetProperty("addrs")[0].GetString()!);

        public ValueTask DisposeAsync() => Js.DisposeAsync();
    }

    private static async Task<Served> StartAsync(object config, int peers)
    {
        var js = await JsPeer.StartAsync(Folder, "px-peer.mjs", config);
        try
        {
            var records = new List<JsonElement>();
            for (int i = 0; i < peers; i++)
            {
                records.Add(await js.WaitForAsync("enr", TimeSpan.FromSeconds(10)));
            }

            return new Served { Js = js, Records = records, Listening = await js.WaitForAsync("listening", TimeSpan.FromSeconds(10)) };
        }
        catch
        {
            await js.DisposeAsync();
            throw;
        }
    }

    private static async Task<T> WithClientAsync<T>(Served served, PeerExchangeClientOptions? options, Func<PeerExchangeClient, Task<T>> body)
    {
        using var identity = Identity.CreateSecp256k1();
        await using var host = new Libp2pHost(new Libp2pHostOptions(identity));
        await using var connection = await host.DialAsync(served.Address, Ct());
        return await body(new PeerExchangeClient(connection, options ?? new PeerExchangeClientOptions { RequestTimeout = TimeSpan.FromSeconds(5) }));
    }

    private static void AssertSame(JsonElement js, Enr enr)
    {
        Assert.Equal(js.GetProperty("enr").GetString(), enr.ToString());
        Assert.Equal(js.GetProperty("peerId").GetString(), enr.PeerId.ToString());
        Assert.Equal(js.GetProperty("publicKey").GetString(), Convert.ToHexStringLower(enr.PublicKeyProtobuf));
        Assert.Equal(js.GetProperty("secp256k1").GetString(), Convert.ToHexStringLower(enr.PublicKey));
        Assert.Equal(js.GetProperty("seq").GetString(), enr.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(js.GetProperty("listenAddrs").EnumerateArray().Select(a => a.GetString()), enr.ListenAddresses.Select(a => a.ToString()));
        Assert.Equal(js.GetProperty("dialAddrs")[0].GetString(), enr.DialAddresses[0].ToString());
        var w = js.GetProperty("waku2");
        var expected = (w.GetProperty("relay").GetBoolean() ? WakuCapabilities.Relay : 0) | (w.GetProperty("store").GetBoolean() ? WakuCapabilities.Store : 0)
            | (w.GetProperty("filter").GetBoolean() ? WakuCapabilities.Filter : 0) | (w.GetProperty("lightPush").GetBoolean() ? WakuCapabilities.Lightpush : 0);
        Assert.Equal(expected, enr.Waku2);
    }

    [Fact]
    public async Task Request_WakuEnrs_EveryRecordVerifiedAndEqualToWhatJsWakuDecoded()
    {
        await using var served = await StartAsync(new { peers = 6 }, 6);

        var result = await WithClientAsync(served, null, c => c.RequestAsync(60, Ct()));

        Assert.Equal(200u, result.StatusCode);
        Assert.Empty(result.Rejected);
        Assert.Equal(6, result.Peers.Count);
        for (int i = 0; i < 6; i++)
        {
            AssertSame(served.Records[i], result.Peers[i]);
        }

        Assert.Equal(60, (await served.Js.WaitForAsync("request", TimeSpan.FromSeconds(3))).GetProperty("numPeers").GetInt32());
    }

    [Fact]
    public async Task Request_OneBadSignatureAmongGood_GoodOnesUsedBadOneReported()
    {
        await using var served = await StartAsync(new { peers = 3, fault = "bad-signature", badIndex = 1 }, 3);
        Assert.True(served.Records[1].GetProperty("jsRejects").GetBoolean()); // @waku/enr rejects it too

        var result = await WithClientAsync(served, null, c => c.RequestAsync(10, Ct()));

        Assert.Equal([served.Records[0].GetProperty("peerId").GetString(), served.Records[2].GetProperty("peerId").GetString()], result.Peers.Select(p => p.PeerId.ToString()));
        var rejected = Assert.Single(result.Rejected);
        Assert.Equal(1, rejected.Index);
        Assert.Equal(EnrErrorKind.SignatureMismatch, rejected.Reason);
    }

    [Theory]
    [InlineData(429u)]
    [InlineData(503u)]
    public async Task Request_StatusCode_TypedRemoteStatus(uint status)
    {
        await using var served = await StartAsync(new { peers = 1, fault = "status", status }, 1);

        var e = await Assert.ThrowsAsync<PeerExchangeException>(() => WithClientAsync(served, null, c => c.RequestAsync(5, Ct())));

        Assert.Equal(PeerExchangeErrorKind.RemoteStatus, e.Kind);
        Assert.Equal(status, e.StatusCode);
        Assert.Equal("test status", e.StatusDescription);
    }

    [Theory]
    [InlineData("garbage", PeerExchangeErrorKind.MalformedResponse)]
    [InlineData("oversize", PeerExchangeErrorKind.ResponseTooLarge)]
    [InlineData("slow", PeerExchangeErrorKind.Timeout)]
    public async Task Request_Fault_TypedError(string fault, PeerExchangeErrorKind kind)
    {
        await using var served = await StartAsync(new { peers = 1, fault, delayMs = 4000 }, 1);

        var e = await Assert.ThrowsAsync<PeerExchangeException>(() =>
            WithClientAsync(served, new PeerExchangeClientOptions { RequestTimeout = TimeSpan.FromSeconds(1.5) }, c => c.RequestAsync(5, Ct())));

        Assert.Equal(kind, e.Kind);
    }

    [Fact]
    public async Task Request_NodeBeforeV033WithoutStatus_Accepted()
    {
        await using var served = await StartAsync(new { peers = 2, fault = "no-status" }, 2);

        var result = await WithClientAsync(served, null, c => c.RequestAsync(5, Ct()));

        Assert.Null(result.StatusCode);
        Assert.Equal(2, result.Peers.Count);
    }

    [Fact]
    public async Task Reseed_NewPeersDb_RowsEqualWhatJsPrintedAndNwakuWouldRead()
    {
        await using var served = await StartAsync(new { peers = 4, fault = "bad-signature", badIndex = 2 }, 4);
        using var dir = new TempDir();
        string path = dir.File("peers.db");

        var report = await PeerReseeder.ReseedAsync(path, [served.Address], new PeerReseedOptions { PeerCount = 20 }, Ct(20));

        Assert.False(report.Complete);
        Assert.True(report.DatabaseCreated);
        Assert.Equal(4, report.Written);
        Assert.Equal(2, Assert.Single(Assert.Single(report.Nodes).RejectedEnrs).Index);

        var expected = new Dictionary<string, (string Key, string[] Addrs)>
        {
            [served.Listening.GetProperty("peerId").GetString()!] = (served.Listening.GetProperty("publicKey").GetString()!,
                served.Listening.GetProperty("addrs").EnumerateArray().Select(a => Multiaddress.Parse(a.GetString()!).WithoutPeerId().ToString()).ToArray()),
        };
        foreach (var r in served.Records.Where(r => !r.GetProperty("tampered").GetBoolean()))
        {
            expected[r.GetProperty("peerId").GetString()!] = (r.GetProperty("publicKey").GetString()!, r.GetProperty("listenAddrs").EnumerateArray().Select(a => a.GetString()!).ToArray());
        }

        using var c = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT peerId, storedInfo, connectedness, disconnectTime FROM Peer";
        using var reader = cmd.ExecuteReader();
        var seen = new HashSet<string>();
        var schema = NwakuSchemaCatalog.Get(PeerSchemaId.FourColumns);
        while (reader.Read())
        {
            var peerId = PeerId.FromBytes((byte[])reader.GetValue(0)).ToString();
            var info = RemotePeerInfo.Parser.ParseFrom((byte[])reader.GetValue(1));
            Assert.True(reader.IsDBNull(2) && reader.IsDBNull(3)); // v0.23+: only (peerId, storedInfo) written
            var (key, addrs) = expected[peerId];
            Assert.Equal(key, Convert.ToHexStringLower(info.PublicKey.Span));
            Assert.Equal(addrs, info.Addrs.Select(a => Multiaddress.FromBytes(a.Span).ToString()));
            bool dialed = peerId == served.Listening.GetProperty("peerId").GetString();
            Assert.Equal(dialed ? (uint)Connectedness.CanConnect : (uint)Connectedness.NotConnected, info.Connectedness);
            if (dialed)
            {
                Assert.Equal(served.Listening.GetProperty("protocols").EnumerateArray().Select(p => p.GetString()).Order(), info.Protos.Select(p => p.ToStringUtf8()).Order());
            }
            else
            {
                Assert.Equal(served.Records.Single(r => r.GetProperty("peerId").GetString() == peerId).GetProperty("enr").GetString(), Enr.Decode(info.Enr.Span).ToString());
            }

            Assert.Empty(PeerRowValidator.Validate(schema, [reader.GetValue(0), reader.GetValue(1), null, null]));
            seen.Add(peerId);
        }

        Assert.Equal(expected.Keys.Order(), seen.Order());
        var scan = StoreScanner.Scan(path);
        Assert.True(scan.Healthy, string.Join("\n", scan.Findings));
        Assert.Equal(4, scan.PeerRowsRead);
    }

    [Fact]
    public async Task Cli_ReseedPeers_JsonAndDryRunAndExitCodes()
    {
        await using var served = await StartAsync(new { peers = 2 }, 2);
        using var dir = new TempDir();
        string path = dir.File("peers.db");

        var dry = await CliRunner.RunAsync("reseed-peers", path, "--peer", served.Address.ToString(), "--dry-run", "--timeout", "10");
        Assert.Equal(0, dry.ExitCode);
        Assert.Contains("dry run: 3 row(s) built, nothing written", dry.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(path));

        var run = await CliRunner.RunAsync("reseed-peers", path, "--peer", served.Address.ToString(), "--json", "--timeout", "10");
        Assert.Equal(0, run.ExitCode);
        using var doc = JsonDocument.Parse(run.Stdout);
        var root = doc.RootElement;
        Assert.Equal(3, root.GetProperty("written").GetInt32());
        Assert.Equal("four_columns", root.GetProperty("layout").GetString());
        Assert.Equal("remote_peer_info", root.GetProperty("era").GetString());
        Assert.True(root.GetProperty("complete").GetBoolean());
        var peers = root.GetProperty("peers").EnumerateArray().ToList();
        Assert.Equal("dialed", peers[0].GetProperty("source").GetString());
        Assert.Equal(served.Records.Select(r => r.GetProperty("peerId").GetString()), peers.Skip(1).Select(p => p.GetProperty("peer_id").GetString()));
        Assert.Equal(served.Records.Select(r => r.GetProperty("enr").GetString()), peers.Skip(1).Select(p => p.GetProperty("enr").GetString()));

        // Now a WAL is absent and the table exists: a second run replaces the same three rows.
        var again = await CliRunner.RunAsync("reseed-peers", path, "--peer", served.Address.ToString(), "--timeout", "10");
        Assert.Equal(0, again.ExitCode);
        Assert.Equal(3, StoreScanner.Scan(path).PeerRowsRead);
    }

    [Fact]
    public async Task Cli_ReseedPeers_StatusFromNode_Exit1DialedRowStillWritten()
    {
        await using var served = await StartAsync(new { peers = 1, fault = "status", status = 503 }, 1);
        using var dir = new TempDir();
        string path = dir.File("peers.db");

        var run = await CliRunner.RunAsync("reseed-peers", path, "--peer", served.Address.ToString(), "--json", "--timeout", "10");

        Assert.Equal(1, run.ExitCode);
        using var doc = JsonDocument.Parse(run.Stdout);
        var node = Assert.Single(doc.RootElement.GetProperty("nodes").EnumerateArray());
        Assert.Equal("remote_status", node.GetProperty("peer_exchange_error").GetString());
        Assert.Equal(503, node.GetProperty("peer_exchange_status_code").GetInt32());
        Assert.Equal(1, doc.RootElement.GetProperty("written").GetInt32());
        Assert.Contains("peer exchange failed", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reseed_SeveralNodes_AsksEachKeepsTheNewestRecordAndGoesOnPastAnUnreachableOne()
    {
        await using var first = await StartAsync(new { peers = 3 }, 3);
        // The second node signs newer records (sequence + 5, other addresses) of the first node's peers 0 and 1, and one peer of its own.
        string[] keys = first.Records.Take(2).Select(r => r.GetProperty("key").GetString()!).ToArray();
        await using var second = await StartAsync(new { peers = 3, keys, seqBump = 5, subnet = 7 }, 3);
        using var dir = new TempDir();
        string path = dir.File("peers.db");
        var unreachable = Multiaddress.Parse("/ip4/127.0.0.1/tcp/1");

        var report = await PeerReseeder.ReseedAsync(path, [unreachable, first.Address, second.Address],
            new PeerReseedOptions { PeerCount = 20, Host = null, PeerExchange = new PeerExchangeClientOptions { RequestTimeout = TimeSpan.FromSeconds(5) } }, Ct(30));

        Assert.False(report.Complete);
        Assert.Equal([false, true, true], report.Nodes.Select(n => n.Reached));
        Assert.NotNull(report.Nodes[0].DialError);
        Assert.Equal([0, 3, 3], report.Nodes.Select(n => n.EnrsReceived));

        // Two dialled nodes, then 3 + 3 ENR peers of which 2 are the same peers: 6 rows, 2 duplicates.
        Assert.Equal(6, report.Written);
        Assert.Equal(2, report.DuplicateEnrs);
        Assert.Equal([PeerRowSource.Dialed, PeerRowSource.Dialed], report.Peers.Take(2).Select(p => p.Source));
        Assert.Equal([first.Address.ToString(), second.Address.ToString()], report.Peers.Take(2).Select(p => p.From));
        var byPeer = report.Peers.Skip(2).ToDictionary(p => p.PeerId);
        foreach (var record in second.Records)
        {
            var row = byPeer[record.GetProperty("peerId").GetString()!];
            Assert.Equal(record.GetProperty("enr").GetString(), row.Enr);
            Assert.Equal(second.Address.ToString(), row.From);
        }

        var onlyFirst = first.Records[2];
        Assert.Equal(onlyFirst.GetProperty("enr").GetString(), byPeer[onlyFirst.GetProperty("peerId").GetString()!].Enr);

        // What was written is what the report lists: the newer record's addresses for the shared peers.
        using var c = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT peerId, storedInfo FROM Peer";
        using var reader = cmd.ExecuteReader();
        var written = new Dictionary<string, string>();
        while (reader.Read())
        {
            var info = RemotePeerInfo.Parser.ParseFrom((byte[])reader.GetValue(1));
            written[PeerId.FromBytes((byte[])reader.GetValue(0)).ToString()] = string.Join(" ", info.Addrs.Select(a => Multiaddress.FromBytes(a.Span).ToString()));
        }

        Assert.Equal(report.Peers.Select(p => p.PeerId).Order(), written.Keys.Order());
        foreach (var shared in second.Records.Take(2))
        {
            Assert.Contains("/ip4/10.7.", written[shared.GetProperty("peerId").GetString()!], StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Cli_ReseedPeers_NoNodeReachable_Exit2()
    {
        using var dir = new TempDir();
        string path = dir.File("peers.db");

        var run = await CliRunner.RunAsync("reseed-peers", path, "--peer", "/ip4/127.0.0.1/tcp/1", "--peer", "/ip4/127.0.0.1/tcp/2", "--timeout", "2");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("None of the 2 nodes could be reached", run.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task Cli_ReseedPeers_HotJournal_Exit2NothingDialled()
    {
        using var dir = new TempDir();
        string path = dir.File("peers.db");
        using (var c = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = NwakuSchemaCatalog.Get(PeerSchemaId.FourColumns).CreateSql;
            cmd.ExecuteNonQuery();
        }

        File.WriteAllBytes(path + "-journal", Scanning.EvidenceFiles.HotJournal(dir));

        var run = await CliRunner.RunAsync("reseed-peers", path, "--peer", "/ip4/127.0.0.1/tcp/1", "--timeout", "2");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("refused (hot_journal)", run.Stderr, StringComparison.Ordinal);
    }
}
