using Waku.StoreForensics.Store;
using static Waku.StoreForensics.Tests.Store.Interop.JsWakuComparison;

namespace Waku.StoreForensics.Tests.Store.Interop;

/// <summary>
/// Reference-client comparison for store v3: js-waku's own client (@waku/sdk 0.0.36, tests/interop/js-waku-v3) and our
/// <see cref="StoreQueryClient"/> query the same js store peer with the same filters and must hand out the same pages
/// of the same messages in the same order. The sdk's generator yields pages as they arrive (backward: newest page
/// first, each page oldest first), as our <see cref="StoreQueryClient.QueryPagesAsync"/> does, so pages are compared
/// one to one.
/// </summary>
[Collection("js-libp2p")]
public class JsWakuStoreV3ComparisonTests
{
    private static StoreQueryClient Client(JsStorePeer peer) => new(peer.Connection, ClientOptions);

    [Theory]
    [InlineData("both", null, null, true, 25)]
    [InlineData("both", null, null, false, 30)]
    [InlineData("chat", null, null, true, null)]
    [InlineData("status", null, null, false, 7)]
    [InlineData("both", 40, 110, true, 9)]
    [InlineData("chat", 40, 110, false, 4)]
    [InlineData("both", 100, null, true, 50)]
    [InlineData("both", null, 60, false, 50)]
    public async Task SameFilters_JsWakuAndOurClient_SamePagesOfSameMessages(string topics, int? fromMs, int? toMs, bool forward, int? pageSize)
    {
        var served = Messages();
        await using var peer = await JsStorePeer.StartAsync(served);
        // No page size: the sdk sends no pagination_limit and the node's default (20) applies; ours always sends one.
        var query = new StoreQuery { PubsubTopic = Shard0, ContentTopics = Topics(topics), TimeStart = At(fromMs), TimeEnd = At(toMs), Forward = forward, PageSize = pageSize ?? 20 };

        var ours = await PagesAsync(Client(peer).QueryPagesAsync(query, Ct()));
        var js = await JsWakuQuery.RunAsync(JsWakuQuery.V3, peer, JsWakuFilter(topics, fromMs, toMs, forward, pageSize));

        Assert.True(ours.Count >= 2, $"the filter should span several pages, got {ours.Count}");
        Assert.Equal(Matching(served, Shard0, Topics(topics), At(fromMs), At(toMs)).Count, ours.Sum(p => p.Messages.Count));
        Assert.Equal("0.0.36", js.Summary.Sdk);
        Assert.Equal(StoreQueryClient.ProtocolId, js.Summary.Protocol);
        AssertSamePages(ours, js);
    }

    [Fact]
    public async Task Requests_JsWakuSendsWhatWeSendPlusOneEmptyPageAtTheEnd()
    {
        var served = Messages();
        await using var peer = await JsStorePeer.StartAsync(served);
        // 40 and 60 ms past BaseTime are exact as doubles in nanoseconds (see TimeBoundsOffADouble_…).
        var query = new StoreQuery { PubsubTopic = Shard0, ContentTopics = BothTopics, TimeStart = JsStorePeer.BaseTime + 40 * Ms, TimeEnd = JsStorePeer.BaseTime + 60 * Ms, PageSize = 6 };

        var ours = await PagesAsync(Client(peer).QueryPagesAsync(query, Ct()));
        var ourRequests = await peer.RequestsAsync(ours.Count);
        var js = await JsWakuQuery.RunAsync(JsWakuQuery.V3, peer, new { pubsubTopic = Shard0, contentTopics = BothTopics, timeStart = Ns(40), timeEnd = Ns(60), direction = "forward", pageSize = 6 });
        // js-waku takes the next cursor from the last message of each page and stops only at an empty page, so it
        // asks once more than we do (we stop when the response carries no pagination_cursor).
        var jsRequests = await peer.RequestsAsync(ours.Count + 1);
        await Assert.ThrowsAsync<TimeoutException>(() => peer.Js.WaitForAsync("request", TimeSpan.FromMilliseconds(500)));

        AssertSamePages(ours, js);
        string[] same = ["protocol", "includeData", "forward", "limit", "pubsubTopic", "contentTopics", "timeStart", "timeEnd", "messageHashes", "cursor"];
        for (int i = 0; i < ours.Count; i++)
        {
            foreach (var field in same)
            {
                Assert.Equal(ourRequests[i].GetProperty(field).GetRawText(), jsRequests[i].GetProperty(field).GetRawText());
            }
        }

        var extra = jsRequests[^1];
        Assert.Equal(ours[^1].Messages[^1].MessageHashHex, extra.GetProperty("cursor").GetString());
        Assert.Null(ours[^1].NextCursor);
    }

    [Fact]
    public async Task LookupByHashes_JsWakuAndOurClient_SamePages()
    {
        var served = Messages();
        await using var peer = await JsStorePeer.StartAsync(served);
        var wanted = served.Where((m, i) => m.PubsubTopic == Shard0 && i % 29 == 7).ToList();
        Assert.Contains(wanted, m => m.Timestamp == 0);

        // Ours sends the hashes alone; the sdk adds its decoders' pubsub topic to a lookup (and no content topics: its
        // decoders, one per content topic, only decode the answer). All wanted messages are on that topic.
        var ours = await PagesAsync(Client(peer).QueryPagesAsync(new StoreQuery { MessageHashes = wanted.Select(m => m.Hash).ToArray(), PageSize = 3 }, Ct()));
        var js = await JsWakuQuery.RunAsync(JsWakuQuery.V3, peer, new { pubsubTopic = Shard0, contentTopics = BothTopics, hashes = wanted.Select(m => m.HashHex).ToArray(), direction = "forward", pageSize = 3 });

        Assert.Equal(wanted.Count, ours.Sum(p => p.Messages.Count));
        AssertSamePages(ours, js);
    }

    [Fact]
    public async Task TimeBoundsOffADouble_JsWakuSendsRoundedNanosecondsAndReturnsMessagesJustOutside()
    {
        // sdk 0.0.36 sends BigInt(date.getTime() * 1_000_000): the product is a double, exact only to 256 ns at
        // 1.7e18, so 10 ms past BaseTime goes out as 128 ns earlier and 110 ms as 128 ns later. (0.0.26 multiplies
        // as BigInt and is exact.) Two messages 100 ns outside the window show the consequence.
        var served = Messages();
        var before = new ServedMessage(Shard0, Chat, [0xB0], 0, JsStorePeer.BaseTime + 10 * Ms - 100, null);
        var after = new ServedMessage(Shard0, Status, [0xA0], 0, JsStorePeer.BaseTime + 110 * Ms + 100, null);
        served.AddRange([before, after]);
        await using var peer = await JsStorePeer.StartAsync(served);
        var query = new StoreQuery { PubsubTopic = Shard0, ContentTopics = BothTopics, TimeStart = JsStorePeer.BaseTime + 10 * Ms, TimeEnd = JsStorePeer.BaseTime + 110 * Ms, PageSize = 100 };

        var ours = await PagesAsync(Client(peer).QueryPagesAsync(query, Ct()));
        var ourRequest = (await peer.RequestsAsync(ours.Count))[0];
        var js = await JsWakuQuery.RunAsync(JsWakuQuery.V3, peer, new { pubsubTopic = Shard0, contentTopics = BothTopics, timeStart = Ns(10), timeEnd = Ns(110), direction = "forward", pageSize = 100 });
        var jsRequest = (await peer.RequestsAsync(1))[0];

        Assert.Equal("1732000000010000000", ourRequest.GetProperty("timeStart").GetString());
        Assert.Equal("1732000000110000000", ourRequest.GetProperty("timeEnd").GetString());
        Assert.Equal("1732000000009999872", jsRequest.GetProperty("timeStart").GetString());
        Assert.Equal("1732000000110000128", jsRequest.GetProperty("timeEnd").GetString());
        var all = ours.SelectMany(p => p.Messages).ToList();
        Assert.DoesNotContain(all, m => m.MessageHashHex == before.HashHex || m.MessageHashHex == after.HashHex);
        Assert.Equal(before.HashHex, js.Messages[0].MessageHash);
        Assert.Equal(after.HashHex, js.Messages[^1].MessageHash);
        AssertSameMessages(all, js.Messages.Skip(1).SkipLast(1).ToList());
    }

    [Fact]
    public async Task OrderedCallbackBackward_PagesNewestFirstEachPageOldestFirst_NotReversed()
    {
        var served = Messages();
        await using var peer = await JsStorePeer.StartAsync(served);

        var ours = await PagesAsync(Client(peer).QueryPagesAsync(new StoreQuery { PubsubTopic = Shard0, ContentTopics = BothTopics, Forward = false, PageSize = 40 }, Ct()));
        var js = await JsWakuQuery.RunAsync(JsWakuQuery.V3, peer, new { pubsubTopic = Shard0, contentTopics = BothTopics, direction = "backward", pageSize = 40, api = "ordered" });

        // sdk 0.0.36's queryWithOrderedCallback hands messages out exactly as the pages came (0.0.26 reversed them).
        Assert.Null(js.Summary.Pages);
        AssertSameMessages(ours.SelectMany(p => p.Messages).ToList(), js.Messages);
        Assert.True(ours[0].Messages[0].Timestamp > ours[1].Messages[0].Timestamp);
    }

    [Fact]
    public async Task StockVersion0Decoder_DropsEveryMessageWithAnotherVersion()
    {
        var served = Messages();
        await using var peer = await JsStorePeer.StartAsync(served);

        var ours = await PagesAsync(Client(peer).QueryPagesAsync(new StoreQuery { PubsubTopic = Shard0, ContentTopics = BothTopics, PageSize = 50 }, Ct()));
        var js = await JsWakuQuery.RunAsync(JsWakuQuery.V3, peer, new { pubsubTopic = Shard0, contentTopics = BothTopics, direction = "forward", pageSize = 50, decoder = "v0" });

        var all = ours.SelectMany(p => p.Messages).ToList();
        Assert.Contains(all, m => m.Version == 1);
        AssertSameMessages(all.Where(m => m.Version == 0).ToList(), js.Messages);
        Assert.Equal(all.Count(m => m.Version != 0), js.Summary.Undecoded);
    }

    [Fact]
    public async Task QueryScript_TimeNotAWholeMillisecond_ExitsNonZeroSayingWhy()
    {
        await using var peer = await JsStorePeer.StartAsync(Messages().Take(5).ToList());

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => JsWakuQuery.RunAsync(JsWakuQuery.V3, peer, new { pubsubTopic = Shard0, contentTopics = BothTopics, timeStart = "1732000000000000001" }));

        Assert.Contains("exited with code 1", e.Message, StringComparison.Ordinal);
        Assert.Contains("not a whole millisecond", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueryScript_PeerAnswersErrorStatus_ExitsNonZeroWithTheStatus()
    {
        await using var peer = await JsStorePeer.StartAsync(Messages().Take(5).ToList(), new { fault = "status", faultPage = 1, status = 503 });

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => JsWakuQuery.RunAsync(JsWakuQuery.V3, peer, new { pubsubTopic = Shard0, contentTopics = BothTopics }));

        Assert.Contains("Store query failed with status code: 503", e.Message, StringComparison.Ordinal);
    }
}
