using Waku.StoreForensics.Store;
using Waku.StoreForensics.Tests.Net.Interop;

namespace Waku.StoreForensics.Tests.Store.Interop;

/// <summary>
/// Our store v3 client against a js-libp2p 2.10 peer (tests/interop/js-store/store-peer.mjs) that serves a message
/// file with protobuf and message hashes computed by its own code, including its fault modes.
/// </summary>
[Collection("js-libp2p")]
public class JsStoreInteropTests
{
    private static CancellationToken Ct(int seconds = 8) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    private static StoreQueryClient Client(JsStorePeer peer, StoreClientOptions? options = null) =>
        new(peer.Connection, options ?? new StoreClientOptions { RequestTimeout = TimeSpan.FromSeconds(3), TotalTimeout = TimeSpan.FromSeconds(8), MaxRetries = 0 });

    private static void AssertSameMessages(IReadOnlyList<ServedMessage> expected, IReadOnlyList<StoreMessage> actual)
    {
        Assert.Equal(expected.Select(m => m.HashHex), actual.Select(m => m.MessageHashHex));
        for (int i = 0; i < expected.Count; i++)
        {
            var e = expected[i];
            var a = actual[i];
            Assert.True(a.HasData);
            Assert.Equal(e.PubsubTopic, a.PubsubTopic);
            Assert.Equal(e.ContentTopic, a.ContentTopic);
            Assert.Equal(e.Payload, a.Payload);
            Assert.Equal(e.Version, a.Version);
            Assert.Equal(e.Timestamp, a.Timestamp);
            Assert.Equal(e.Meta, a.Meta);
        }
    }

    [Fact]
    public async Task QueryAll_Forward_ReturnsEveryServedMessageInStoreOrder()
    {
        var served = JsStorePeer.MakeMessages(95);
        await using var peer = await JsStorePeer.StartAsync(served);

        var result = await Client(peer).QueryAllAsync(new StoreQuery { PageSize = 10, Forward = true }, Ct());

        Assert.True(result.Complete);
        Assert.Equal(10, result.Pages);
        Assert.Empty(result.Rejected);
        AssertSameMessages(JsStorePeer.InStoreOrder(served), result.Messages);

        // nwaku's decoder quirks: every request carries a request_id; our fields arrive as sent.
        var requests = await peer.RequestsAsync(10);
        Assert.All(requests, r => Assert.False(string.IsNullOrEmpty(r.GetProperty("requestId").GetString())));
        Assert.Equal(10, requests.Select(r => r.GetProperty("requestId").GetString()).Distinct().Count());
        Assert.All(requests, r => Assert.True(r.GetProperty("includeData").GetBoolean()));
        Assert.All(requests, r => Assert.True(r.GetProperty("forward").GetBoolean()));
        Assert.All(requests, r => Assert.Equal(10, r.GetProperty("limit").GetInt32()));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, requests[0].GetProperty("cursor").ValueKind);
        Assert.Equal(result.Messages[9].MessageHashHex, requests[1].GetProperty("cursor").GetString());
    }

    [Fact]
    public async Task QueryPages_Backward_NewestPageFirstEachPageAscending()
    {
        var served = JsStorePeer.MakeMessages(45);
        await using var peer = await JsStorePeer.StartAsync(served);

        var pages = new List<StorePage>();
        await foreach (var page in Client(peer).QueryPagesAsync(new StoreQuery { PageSize = 20, Forward = false }, Ct()))
        {
            pages.Add(page);
        }

        Assert.Equal([20, 20, 5], pages.Select(p => p.Messages.Count));
        Assert.Null(pages[^1].NextCursor);
        var expected = JsStorePeer.InStoreOrder(served);
        AssertSameMessages(expected, pages.AsEnumerable().Reverse().SelectMany(p => p.Messages).ToList());
        // proto3 leaves a false bool off the wire; nwaku reads an absent pagination_forward as backward.
        var first = await peer.RequestsAsync(1);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, first[0].GetProperty("forward").ValueKind);
    }

    [Fact]
    public async Task QueryAll_HashesOnly_ReturnsHashesWithoutData()
    {
        var served = JsStorePeer.MakeMessages(33);
        await using var peer = await JsStorePeer.StartAsync(served);

        var result = await Client(peer).QueryAllAsync(new StoreQuery { IncludeData = false, PageSize = 7 }, Ct());

        Assert.True(result.Complete);
        Assert.Equal(5, result.Pages);
        Assert.Equal(JsStorePeer.InStoreOrder(served).Select(m => m.HashHex), result.Messages.Select(m => m.MessageHashHex));
        Assert.All(result.Messages, m => Assert.False(m.HasData));
        Assert.All(result.Messages, m => Assert.Empty(m.Payload));
        var requests = await peer.RequestsAsync(1);
        // An absent include_data means hashes only (§5.5).
        Assert.Equal(System.Text.Json.JsonValueKind.Null, requests[0].GetProperty("includeData").ValueKind);
    }

    [Fact]
    public async Task QueryAll_TopicAndTimeFilters_ReturnExactlyTheMatchingMessages()
    {
        var served = JsStorePeer.MakeMessages(80);
        await using var peer = await JsStorePeer.StartAsync(served);
        long from = JsStorePeer.BaseTime + 5 * 1_000_000L;
        long to = JsStorePeer.BaseTime + 20 * 1_000_000L;
        var query = new StoreQuery
        {
            PubsubTopic = JsStorePeer.PubsubA,
            ContentTopics = [JsStorePeer.ContentTopics[0], JsStorePeer.ContentTopics[2]],
            TimeStart = from,
            TimeEnd = to,
            PageSize = 4,
        };

        var result = await Client(peer).QueryAllAsync(query, Ct());

        var expected = JsStorePeer.InStoreOrder(served.Where(m =>
            m.PubsubTopic == JsStorePeer.PubsubA && m.ContentTopic != JsStorePeer.ContentTopics[1] && m.Timestamp >= from && m.Timestamp <= to));
        Assert.True(expected.Count > 8);
        Assert.True(result.Complete);
        AssertSameMessages(expected, result.Messages);
        var request = (await peer.RequestsAsync(1))[0];
        Assert.Equal(JsStorePeer.PubsubA, request.GetProperty("pubsubTopic").GetString());
        Assert.Equal(from.ToString(System.Globalization.CultureInfo.InvariantCulture), request.GetProperty("timeStart").GetString());
        Assert.Equal(to.ToString(System.Globalization.CultureInfo.InvariantCulture), request.GetProperty("timeEnd").GetString());
    }

    [Fact]
    public async Task QueryAll_LookupByHashes_ReturnsThoseMessages()
    {
        var served = JsStorePeer.MakeMessages(30);
        await using var peer = await JsStorePeer.StartAsync(served);
        var wanted = new[] { served[3], served[17], served[29] };

        var result = await Client(peer).QueryAllAsync(new StoreQuery { MessageHashes = wanted.Select(m => m.Hash).ToArray() }, Ct());

        AssertSameMessages(JsStorePeer.InStoreOrder(wanted), result.Messages);
    }

    [Fact]
    public async Task QueryAll_WrongHashes_RejectsAndReportsThemReturnsTheRest()
    {
        var served = JsStorePeer.MakeMessages(25);
        await using var peer = await JsStorePeer.StartAsync(served, new { fault = "wrong-hash", wrongHashes = new[] { 3, 11 } });

        var result = await Client(peer).QueryAllAsync(new StoreQuery { PageSize = 10 }, Ct());

        Assert.True(result.Complete);
        Assert.Equal(2, result.Rejected.Count);
        Assert.All(result.Rejected, r => Assert.Equal(MessageRejection.HashMismatch, r.Reason));
        Assert.Equal(new[] { served[3].HashHex, served[11].HashHex }.Order(), result.Rejected.Select(r => r.ClaimedHash).Order());
        Assert.All(result.Rejected, r => Assert.NotEqual(r.ClaimedHash, r.ComputedHash));
        var good = JsStorePeer.InStoreOrder(served.Where((_, i) => i != 3 && i != 11));
        AssertSameMessages(good, result.Messages);
    }

    [Fact]
    public async Task QueryAll_GarbageOnSecondPage_MalformedResponseWithFirstPageAsPartial()
    {
        var served = JsStorePeer.MakeMessages(30);
        await using var peer = await JsStorePeer.StartAsync(served, new { fault = "garbage", faultPage = 2 });

        var e = await Assert.ThrowsAsync<StoreException>(() => Client(peer).QueryAllAsync(new StoreQuery { PageSize = 10 }, Ct()));

        Assert.Equal(StoreErrorKind.MalformedResponse, e.Kind);
        AssertPartialFirstPage(served, e.Partial);
    }

    [Fact]
    public async Task QueryAll_ResetMidPage_TransportErrorWithFirstPageAsPartial()
    {
        var served = JsStorePeer.MakeMessages(30);
        await using var peer = await JsStorePeer.StartAsync(served, new { fault = "reset", faultPage = 2 });

        var e = await Assert.ThrowsAsync<StoreException>(() => Client(peer).QueryAllAsync(new StoreQuery { PageSize = 10 }, Ct()));

        Assert.Equal(StoreErrorKind.Transport, e.Kind);
        AssertPartialFirstPage(served, e.Partial);
    }

    [Fact]
    public async Task QueryAll_SlowPeerPastRequestTimeout_TimeoutWithFirstPageAsPartial()
    {
        var served = JsStorePeer.MakeMessages(30);
        await using var peer = await JsStorePeer.StartAsync(served, new { fault = "slow", faultPage = 2, delayMs = 6000 });
        var options = new StoreClientOptions { RequestTimeout = TimeSpan.FromSeconds(1), TotalTimeout = TimeSpan.FromSeconds(8), MaxRetries = 0 };
        var started = System.Diagnostics.Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<StoreException>(() => Client(peer, options).QueryAllAsync(new StoreQuery { PageSize = 10 }, Ct()));

        Assert.Equal(StoreErrorKind.Timeout, e.Kind);
        Assert.Contains("RequestTimeout", e.Message, StringComparison.Ordinal);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(4), $"took {started.Elapsed}");
        AssertPartialFirstPage(served, e.Partial);
    }

    [Fact]
    public async Task QueryAll_SlowPeerPastTotalTimeout_TimeoutNamesTheTotal()
    {
        var served = JsStorePeer.MakeMessages(30);
        await using var peer = await JsStorePeer.StartAsync(served, new { fault = "slow", faultPage = 2, delayMs = 6000 });
        var options = new StoreClientOptions { RequestTimeout = TimeSpan.FromSeconds(5), TotalTimeout = TimeSpan.FromSeconds(1.5), MaxRetries = 0 };

        var e = await Assert.ThrowsAsync<StoreException>(() => Client(peer, options).QueryAllAsync(new StoreQuery { PageSize = 10 }, Ct()));

        Assert.Equal(StoreErrorKind.Timeout, e.Kind);
        Assert.Contains("TotalTimeout", e.Message, StringComparison.Ordinal);
        AssertPartialFirstPage(served, e.Partial);
    }

    [Fact]
    public async Task QueryAll_OversizeFrame_ResponseTooLargeBeforeReadingIt()
    {
        var served = JsStorePeer.MakeMessages(10);
        await using var peer = await JsStorePeer.StartAsync(served, new { fault = "oversize", faultPage = 1 });
        var options = new StoreClientOptions { MaxResponseBytes = 1024 * 1024, RequestTimeout = TimeSpan.FromSeconds(3) };

        var e = await Assert.ThrowsAsync<StoreException>(() => Client(peer, options).QueryAllAsync(new StoreQuery(), Ct()));

        Assert.Equal(StoreErrorKind.ResponseTooLarge, e.Kind);
        Assert.Equal(0, e.Partial!.Pages);
    }

    [Fact]
    public async Task QueryAll_EndlessPagination_StopsAtMaxPagesWithPartial()
    {
        var served = JsStorePeer.MakeMessages(12);
        await using var peer = await JsStorePeer.StartAsync(served, new { fault = "endless" });
        var options = new StoreClientOptions { MaxPages = 6, RequestTimeout = TimeSpan.FromSeconds(3) };

        var e = await Assert.ThrowsAsync<StoreException>(() => Client(peer, options).QueryAllAsync(new StoreQuery { PageSize = 5, Forward = true }, Ct()));

        Assert.Equal(StoreErrorKind.PaginationLimit, e.Kind);
        Assert.Equal(6, e.Partial!.Pages);
        Assert.False(e.Partial.Complete);
        AssertSameMessages(JsStorePeer.InStoreOrder(served).Take(5).ToList(), e.Partial.Messages.Take(5).ToList());
    }

    [Theory]
    [InlineData("reset", 0)]
    [InlineData("slow", 0)]
    [InlineData("status", 503)]
    public async Task QueryAll_OneTransientFailureMidQuery_RetriedAndComplete(string fault, int status)
    {
        var served = JsStorePeer.MakeMessages(30);
        await using var peer = await JsStorePeer.StartAsync(served, new { fault, faultPage = 2, faultCount = 1, delayMs = 4000, status });
        var options = new StoreClientOptions { RequestTimeout = TimeSpan.FromSeconds(1), TotalTimeout = TimeSpan.FromSeconds(8), MaxRetries = 1, RetryDelay = TimeSpan.FromMilliseconds(50) };

        var result = await Client(peer, options).QueryAllAsync(new StoreQuery { PageSize = 10 }, Ct());

        Assert.True(result.Complete);
        Assert.Equal(3, result.Pages);
        AssertSameMessages(JsStorePeer.InStoreOrder(served), result.Messages);
        var requests = await peer.RequestsAsync(4);
        Assert.Equal(requests[1].GetProperty("cursor").GetString(), requests[2].GetProperty("cursor").GetString());
        Assert.NotEqual(requests[1].GetProperty("requestId").GetString(), requests[2].GetProperty("requestId").GetString());
    }

    [Theory]
    [InlineData(429u, StoreStatusCode.TooManyRequests)]
    [InlineData(503u, StoreStatusCode.ServiceUnavailable)]
    [InlineData(400u, StoreStatusCode.BadRequest)]
    public async Task QueryAll_ErrorStatus_RemoteStatusWithTheCode(uint code, StoreStatusCode expected)
    {
        await using var peer = await JsStorePeer.StartAsync(JsStorePeer.MakeMessages(3), new { fault = "status", faultPage = 1, status = code });

        var e = await Assert.ThrowsAsync<StoreException>(() => Client(peer).QueryAllAsync(new StoreQuery(), Ct()));

        Assert.Equal(StoreErrorKind.RemoteStatus, e.Kind);
        Assert.Equal((uint)expected, e.StatusCode);
        Assert.Equal("test status", e.StatusDescription);
    }

    [Fact]
    public async Task QueryAll_PeerWithoutStore_ProtocolNotSupported()
    {
        var js = await JsPeer.StartAsync(new { mode = "listen", key = "ed25519", muxers = new[] { "yamux" } });
        await using var _ = js;
        var listening = await js.WaitForAsync("listening", TimeSpan.FromSeconds(8));
        await using var host = new Waku.StoreForensics.Net.Libp2pHost(new Waku.StoreForensics.Net.Libp2pHostOptions(Waku.StoreForensics.Net.Crypto.Identity.CreateEd25519()));
        var connection = await host.DialAsync(Waku.StoreForensics.Net.Multiformats.Multiaddress.Parse(listening.GetProperty("addrs")[0].GetString()!), Ct());

        var e = await Assert.ThrowsAsync<StoreException>(() => new StoreQueryClient(connection).QueryAllAsync(new StoreQuery(), Ct()));

        Assert.Equal(StoreErrorKind.ProtocolNotSupported, e.Kind);
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("status", false)]
    public async Task Probe_NodeWithStoreV3_ReportsWhetherItsStoreAnswers(string? fault, bool answers)
    {
        await using var peer = await JsStorePeer.StartAsync(JsStorePeer.MakeMessages(3), new { fault, faultPage = 1, status = 503 });
        var options = new Waku.StoreForensics.Net.Libp2pHostOptions(Waku.StoreForensics.Net.Crypto.Identity.CreateEd25519()) { HandlerTimeout = TimeSpan.FromSeconds(3) };

        var report = await Waku.StoreForensics.Net.Probe.NodeProbe.ProbeAsync(peer.Address, options, [], Ct());

        Assert.True(report.Connected);
        Assert.Equal(answers, report.StoreV3Answered);
        Assert.Equal(answers, report.StoreLegacyAnswered);
        if (answers)
        {
            Assert.Equal(1, report.StoreV3FirstPageCount);
            Assert.Null(report.StoreV3Error);
            // The peer answers metadata with cluster 1, so the legacy query asks on that cluster's shard 0.
            Assert.Equal("/waku/2/rs/1/0", report.StoreLegacyPubsubTopic);
            Assert.Equal(1, report.StoreLegacyFirstPageCount);
            Assert.Null(report.StoreLegacyError);
        }
        else
        {
            Assert.Contains("503", report.StoreV3Error, StringComparison.Ordinal);
            Assert.NotNull(report.StoreLegacyError);
        }

        var request = (await peer.RequestsAsync(1))[0];
        Assert.Equal(1, request.GetProperty("limit").GetInt32());
        Assert.Contains("store v3", Waku.StoreForensics.Cli.Commands.ProbeCommand.Render(report), StringComparison.Ordinal);
    }

    private static void AssertPartialFirstPage(List<ServedMessage> served, StoreQueryResult? partial)
    {
        Assert.NotNull(partial);
        Assert.False(partial.Complete);
        Assert.Equal(1, partial.Pages);
        AssertSameMessages(JsStorePeer.InStoreOrder(served).Take(10).ToList(), partial.Messages);
    }
}
