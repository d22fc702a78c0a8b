using System.Text.Json;
using Waku.StoreForensics.Store;
using static Waku.StoreForensics.Tests.Store.Interop.JsWakuComparison;

namespace Waku.StoreForensics.Tests.Store.Interop;

/// <summary>
/// Reference-client comparison for the legacy store (<c>/vac/waku/store/2.0.0-beta4</c>): js-waku's own client
/// (@waku/sdk 0.0.26, tests/interop/js-waku-v2) and our <see cref="LegacyStoreClient"/> query the same js store peer
/// with the same filters and must hand out the same pages of the same messages in the same order. The sdk's generator
/// yields pages as they arrive (backward: newest page first, each page oldest first), as our
/// <see cref="LegacyStoreClient.QueryPagesAsync"/> does; its ordered callback reverses each page when paging backward.
/// </summary>
[Collection("js-libp2p")]
public class JsWakuLegacyStoreComparisonTests
{
    private static LegacyStoreClient Client(JsStorePeer peer) => new(peer.Connection, ClientOptions);

    [Theory]
    [InlineData("both", null, null, false, null)]
    [InlineData("both", null, null, true, 25)]
    [InlineData("chat", null, null, false, 7)]
    [InlineData("both", 10, 110, true, 9)]
    [InlineData("status", 40, 110, false, 4)]
    [InlineData("both", 100, null, true, 50)]
    [InlineData("both", null, 60, false, 50)]
    public async Task SameFilters_JsWakuAndOurClient_SamePagesOfSameMessages(string topics, int? fromMs, int? toMs, bool forward, int? pageSize)
    {
        var served = Messages();
        await using var peer = await JsStorePeer.StartAsync(served);
        // No page size: the sdk's default, 10 a page; ours is told the same.
        var query = new StoreQuery { PubsubTopic = Shard0, ContentTopics = Topics(topics), TimeStart = At(fromMs), TimeEnd = At(toMs), Forward = forward, PageSize = pageSize ?? 10 };

        var ours = await PagesAsync(Client(peer).QueryPagesAsync(query, Ct()));
        var js = await JsWakuQuery.RunAsync(JsWakuQuery.V2, peer, JsWakuFilter(topics, fromMs, toMs, forward, pageSize));

        Assert.True(ours.Count >= 2, $"the filter should span several pages, got {ours.Count}");
        Assert.Equal(Matching(served, Shard0, Topics(topics), At(fromMs), At(toMs)).Count, ours.Sum(p => p.Messages.Count));
        Assert.Equal("0.0.26", js.Summary.Sdk);
        Assert.Equal(LegacyStoreClient.ProtocolId, js.Summary.Protocol);
        AssertSamePages(ours, js);
    }

    [Fact]
    public async Task Requests_JsWakuSendsWhatWeSendPageForPage()
    {
        var served = Messages();
        await using var peer = await JsStorePeer.StartAsync(served);
        // 10 and 110 ms past BaseTime are not exact as doubles in nanoseconds; sdk 0.0.26 multiplies as BigInt.
        var query = new StoreQuery { PubsubTopic = Shard0, ContentTopics = BothTopics, TimeStart = At(10), TimeEnd = At(110), Forward = false, PageSize = 30 };

        var ours = await PagesAsync(Client(peer).QueryPagesAsync(query, Ct()));
        var ourRequests = await peer.RequestsAsync(ours.Count);
        var js = await JsWakuQuery.RunAsync(JsWakuQuery.V2, peer, new { pubsubTopic = Shard0, contentTopics = BothTopics, timeStart = Ns(10), timeEnd = Ns(110), direction = "backward", pageSize = 30 });
        var jsRequests = await peer.RequestsAsync(ours.Count);
        // Both stop at the response without a cursor: no request more.
        await Assert.ThrowsAsync<TimeoutException>(() => peer.Js.WaitForAsync("request", TimeSpan.FromMilliseconds(500)));

        AssertSamePages(ours, js);
        string[] same = ["protocol", "pubsubTopic", "contentTopics", "pageSize", "startTime", "endTime", "cursor"];
        for (int i = 0; i < ours.Count; i++)
        {
            foreach (var field in same)
            {
                Assert.Equal(ourRequests[i].GetProperty(field).GetRawText(), jsRequests[i].GetProperty(field).GetRawText());
            }

            // BACKWARD is 0: proto3 (ours) leaves it off the wire, protons (js-waku) writes it. nwaku reads an absent
            // direction as default(PagingDirection) = BACKWARD, so both ask for the same thing.
            Assert.Equal(JsonValueKind.Null, ourRequests[i].GetProperty("direction").ValueKind);
            Assert.Equal(0, jsRequests[i].GetProperty("direction").GetInt32());
        }

        Assert.Equal("1732000000010000000", jsRequests[0].GetProperty("startTime").GetString());
    }

    [Fact]
    public async Task OrderedCallbackBackward_EachPageReversed_NewestFirstThroughout()
    {
        var served = Messages();
        await using var peer = await JsStorePeer.StartAsync(served);

        var ours = await PagesAsync(Client(peer).QueryPagesAsync(new StoreQuery { PubsubTopic = Shard0, ContentTopics = BothTopics, Forward = false, PageSize = 40 }, Ct()));
        var js = await JsWakuQuery.RunAsync(JsWakuQuery.V2, peer, new { pubsubTopic = Shard0, contentTopics = BothTopics, direction = "backward", pageSize = 40, api = "ordered" });

        // sdk 0.0.26's queryWithOrderedCallback reverses every backward page (store.js shouldReverseOrder).
        var newestFirst = ours.SelectMany(p => p.Messages.Reverse()).ToList();
        AssertSameMessages(newestFirst, js.Messages);
        Assert.Equal(JsStorePeer.InLegacyOrder(Matching(served, Shard0, BothTopics, null, null)).Select(m => m.Timestamp).Reverse(), js.Messages.Select(m => m.Timestamp!.Value));
    }

    [Fact]
    public async Task StaticShard_JsWakuAsksMetadataAndQueriesOnlyAPeerThatAnswered()
    {
        var served = Messages().Take(40).ToList();
        await using (var peer = await JsStorePeer.StartAsync(served))
        {
            var js = await JsWakuQuery.RunAsync(JsWakuQuery.V2, peer, new { pubsubTopic = Shard0, contentTopics = BothTopics });

            var metadata = await peer.Js.WaitForAsync("metadata", TimeSpan.FromSeconds(3));
            Assert.Equal(1, metadata.GetProperty("clusterId").GetInt32());
            Assert.Equal([0], metadata.GetProperty("shards").EnumerateArray().Select(s => s.GetInt32()));
            Assert.Equal(Matching(served, Shard0, BothTopics, null, null).Count, js.Summary.Count);
        }

        await using var silent = await JsStorePeer.StartAsync(served, new { metadata = false });
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => JsWakuQuery.RunAsync(JsWakuQuery.V2, silent, new { pubsubTopic = Shard0, contentTopics = BothTopics }));
        Assert.Contains("No peers available to query", e.Message, StringComparison.Ordinal);
    }
}
