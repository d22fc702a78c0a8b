using System.Text.Json;
using Waku.StoreForensics.Store;

namespace Waku.StoreForensics.Tests.Store.Interop;

/// <summary>Our legacy store client (<c>/vac/waku/store/2.0.0-beta4</c>) against the js store peer.</summary>
[Collection("js-libp2p")]
public class JsLegacyStoreInteropTests
{
    private static CancellationToken Ct(int seconds = 8) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    private static LegacyStoreClient Client(JsStorePeer peer, StoreClientOptions? options = null) =>
        new(peer.Connection, options ?? new StoreClientOptions { RequestTimeout = TimeSpan.FromSeconds(3), TotalTimeout = TimeSpan.FromSeconds(8), MaxRetries = 0 });

    private static List<ServedMessage> OnA(IEnumerable<ServedMessage> served) => served.Where(m => m.PubsubTopic == JsStorePeer.PubsubA).ToList();

    private static void AssertSame(IReadOnlyList<ServedMessage> expected, IReadOnlyList<StoreMessage> actual)
    {
        Assert.Equal(expected.Select(m => m.HashHex), actual.Select(m => m.MessageHashHex));
        Assert.Equal(expected.Select(m => Convert.ToBase64String(m.Payload)), actual.Select(m => Convert.ToBase64String(m.Payload)));
        Assert.Equal(expected.Select(m => m.Meta is null ? null : Convert.ToBase64String(m.Meta)), actual.Select(m => m.Meta is null ? null : Convert.ToBase64String(m.Meta)));
        Assert.All(actual, m => Assert.Equal(JsStorePeer.PubsubA, m.PubsubTopic));
    }

    [Fact]
    public async Task QueryAll_Forward_EveryMessageInLegacyOrderCursorWithAllFourIndexFields()
    {
        var served = JsStorePeer.MakeMessages(60);
        await using var peer = await JsStorePeer.StartAsync(served);

        var result = await Client(peer).QueryAllAsync(new StoreQuery { PubsubTopic = JsStorePeer.PubsubA, PageSize = 7 }, Ct());

        var expected = JsStorePeer.InLegacyOrder(OnA(served));
        Assert.True(result.Complete);
        Assert.Empty(result.Rejected);
        Assert.Equal((expected.Count + 6) / 7, result.Pages);
        AssertSame(expected, result.Messages);
        var requests = await peer.RequestsAsync(2);
        Assert.All(requests, r => Assert.Equal(LegacyStoreClient.ProtocolId, r.GetProperty("protocol").GetString()));
        Assert.All(requests, r => Assert.Equal(32, r.GetProperty("requestId").GetString()!.Length));
        Assert.All(requests, r => Assert.Equal(7, r.GetProperty("pageSize").GetInt32()));
        Assert.All(requests, r => Assert.Equal(1, r.GetProperty("direction").GetInt32()));
        Assert.Equal(JsonValueKind.Null, requests[0].GetProperty("cursor").ValueKind);
        var cursor = requests[1].GetProperty("cursor");
        Assert.Equal(Convert.ToHexStringLower(expected[6].Digest), cursor.GetProperty("digest").GetString());
        Assert.Equal(expected[6].Timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture), cursor.GetProperty("receiverTime").GetString());
        Assert.Equal(expected[6].Timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture), cursor.GetProperty("senderTime").GetString());
        Assert.Equal(JsStorePeer.PubsubA, cursor.GetProperty("pubsubTopic").GetString());
    }

    [Fact]
    public async Task QueryPages_Backward_NewestPageFirst()
    {
        var served = JsStorePeer.MakeMessages(50);
        await using var peer = await JsStorePeer.StartAsync(served);

        var pages = new List<StorePage>();
        await foreach (var page in Client(peer).QueryPagesAsync(new StoreQuery { PubsubTopic = JsStorePeer.PubsubA, PageSize = 15, Forward = false }, Ct()))
        {
            pages.Add(page);
        }

        Assert.Equal([15, 15, 10], pages.Select(p => p.Messages.Count));
        AssertSame(JsStorePeer.InLegacyOrder(OnA(served)), pages.AsEnumerable().Reverse().SelectMany(p => p.Messages).ToList());
    }

    [Fact]
    public async Task QueryAll_ContentTopicAndTimeFilters_OnlyMatchingMessages()
    {
        var served = JsStorePeer.MakeMessages(60);
        await using var peer = await JsStorePeer.StartAsync(served);
        long from = JsStorePeer.BaseTime + 4 * 1_000_000L, to = JsStorePeer.BaseTime + 15 * 1_000_000L;

        var result = await Client(peer).QueryAllAsync(new StoreQuery { PubsubTopic = JsStorePeer.PubsubA, ContentTopics = [JsStorePeer.ContentTopics[1]], TimeStart = from, TimeEnd = to, PageSize = 3 }, Ct());

        var expected = JsStorePeer.InLegacyOrder(OnA(served).Where(m => m.ContentTopic == JsStorePeer.ContentTopics[1] && m.Timestamp >= from && m.Timestamp <= to));
        Assert.True(expected.Count > 3);
        AssertSame(expected, result.Messages);
    }

    [Fact]
    public async Task QueryAll_CursorDigestNotTheBoundaryMessage_BoundaryRejectedAsHashMismatch()
    {
        var served = JsStorePeer.MakeMessages(30);
        await using var peer = await JsStorePeer.StartAsync(served, new { fault = "bad-cursor-digest" });

        var result = await Client(peer).QueryAllAsync(new StoreQuery { PubsubTopic = JsStorePeer.PubsubA, PageSize = 10 }, Ct());

        var mismatches = result.Rejected.Where(r => r.Reason == MessageRejection.HashMismatch).ToList();
        Assert.NotEmpty(mismatches);
        var servedHashes = served.Select(m => m.HashHex).ToHashSet();
        Assert.All(result.Messages, m => Assert.Contains(m.MessageHashHex, servedHashes));
        Assert.All(mismatches, r => Assert.NotEqual(r.ClaimedHash, Convert.ToHexStringLower(served.Single(m => m.HashHex == r.ComputedHash).Digest)));
        Assert.Equal(result.Messages.Count, result.Messages.Select(m => m.MessageHashHex).Distinct().Count());
    }

    [Fact]
    public async Task QueryAll_Garbage_MalformedResponseWithPartial()
    {
        var served = JsStorePeer.MakeMessages(40);
        await using var peer = await JsStorePeer.StartAsync(served, new { fault = "garbage", faultPage = 2 });

        var e = await Assert.ThrowsAsync<StoreException>(() => Client(peer).QueryAllAsync(new StoreQuery { PubsubTopic = JsStorePeer.PubsubA, PageSize = 10 }, Ct()));

        Assert.Equal(StoreErrorKind.MalformedResponse, e.Kind);
        Assert.Equal(1, e.Partial!.Pages);
        AssertSame(JsStorePeer.InLegacyOrder(OnA(served)).Take(10).ToList(), e.Partial.Messages);
    }

    [Fact]
    public async Task QueryAll_ErrorTooManyRequests_RemoteStatus429()
    {
        await using var peer = await JsStorePeer.StartAsync(JsStorePeer.MakeMessages(5), new { fault = "status", faultPage = 1, status = 429 });

        var e = await Assert.ThrowsAsync<StoreException>(() => Client(peer).QueryAllAsync(new StoreQuery { PubsubTopic = JsStorePeer.PubsubA }, Ct()));

        Assert.Equal(StoreErrorKind.RemoteStatus, e.Kind);
        Assert.Equal(429u, e.StatusCode);
    }

    [Fact]
    public async Task QueryAll_EndlessPagination_PaginationLimit()
    {
        await using var peer = await JsStorePeer.StartAsync(JsStorePeer.MakeMessages(10), new { fault = "endless" });

        var e = await Assert.ThrowsAsync<StoreException>(() => Client(peer, new StoreClientOptions { MaxPages = 4 }).QueryAllAsync(new StoreQuery { PubsubTopic = JsStorePeer.PubsubA }, Ct()));

        Assert.Equal(StoreErrorKind.PaginationLimit, e.Kind);
        Assert.Equal(4, e.Partial!.Pages);
    }

    [Fact]
    public async Task QueryAll_SlowPeer_TimeoutWithPartial()
    {
        var served = JsStorePeer.MakeMessages(40);
        await using var peer = await JsStorePeer.StartAsync(served, new { fault = "slow", faultPage = 2, delayMs = 6000 });

        var e = await Assert.ThrowsAsync<StoreException>(() => Client(peer, new StoreClientOptions { RequestTimeout = TimeSpan.FromSeconds(1), MaxRetries = 0 })
            .QueryAllAsync(new StoreQuery { PubsubTopic = JsStorePeer.PubsubA, PageSize = 10 }, Ct()));

        Assert.Equal(StoreErrorKind.Timeout, e.Kind);
        Assert.Equal(10, e.Partial!.Messages.Count);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public async Task QueryAll_QueryTheLegacyStoreCannotAnswer_ArgumentException(bool withTopic, bool hashesOnly)
    {
        await using var peer = await JsStorePeer.StartAsync(JsStorePeer.MakeMessages(3));

        await Assert.ThrowsAsync<ArgumentException>(() => Client(peer).QueryAllAsync(
            new StoreQuery { PubsubTopic = withTopic ? JsStorePeer.PubsubA : null, IncludeData = !hashesOnly }, Ct()));
    }
}
