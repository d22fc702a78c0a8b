using System.Text.Json;
using Waku.StoreForensics.Store;
using Waku.StoreForensics.Tests.Net.Interop;

namespace Waku.StoreForensics.Tests.Store.Interop;

/// <summary>
/// Reference-client comparison for <c>/vac/waku/store/2.0.0-beta3</c>: js-waku's own store clients of 2021
/// (0.3.0 for the v0.3–v0.4 encoding, 0.12.2 for v0.5–v0.7; tests/interop/js-waku-beta3-clients/query.mjs) and our
/// <see cref="Beta3StoreClient"/> query the same beta3 peer with the same filters and must return the same messages in
/// the same order (0.12.2 also page by page, through its page callback). js-waku 0.12.2 drops a version-1 message it
/// cannot decrypt, so the compared stores hold version-0 messages; the difference itself is pinned by its own test.
/// </summary>
[Collection("js-libp2p")]
public class JsWakuBeta3ComparisonTests
{
    private static readonly string[] AllTopics = JsBeta3StorePeer.ContentTopics;

    private static CancellationToken Ct() => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    private static Beta3StoreClient Client(JsBeta3StorePeer peer) =>
        new(peer.Connection, null, new StoreClientOptions { RequestTimeout = TimeSpan.FromSeconds(5), MaxRetries = 0 });

    /// <summary>Version-0 messages (what both js-waku releases hand out undecrypted), unique payloads.</summary>
    private static List<Beta3ServedMessage> VersionZero(int count) =>
        JsBeta3StorePeer.MakeMessages(count).Select((m, i) => m with { Version = 0, Payload = System.Text.Encoding.UTF8.GetBytes($"payload {i}") }).ToList();

    private static string Key(string contentTopic, byte[] payload, uint version, long timestamp) =>
        $"{contentTopic}|{Convert.ToBase64String(payload)}|{version}|{timestamp}";

    private static string Key(StoreMessage m) => Key(m.ContentTopic, m.Payload, m.Version, m.Timestamp);

    /// <summary>One js-waku message line, its double-seconds timestamp converted as nwaku converts it.</summary>
    private static string Key(JsonElement e) => Key(
        e.GetProperty("contentTopic").GetString()!,
        Convert.FromBase64String(e.GetProperty("payload").GetString()!),
        e.GetProperty("version").GetUInt32(),
        e.GetProperty("timestamp").ValueKind == JsonValueKind.Null ? 0 : (long)(e.GetProperty("timestamp").GetDouble() * 1e9));

    private static async Task<(List<JsonElement> Messages, JsonElement Summary)> JsWakuAsync(JsBeta3StorePeer peer, Dictionary<string, object?> args)
    {
        args["peer"] = peer.Address.ToString();
        args["pubsubTopic"] = JsBeta3StorePeer.DefaultTopic;
        await using var js = await JsPeer.StartAsync(JsPeer.FindDirectory("js-waku-beta3-clients", "query.mjs"), "query.mjs", args);
        var events = await js.ReadUntilAsync("summary", TimeSpan.FromSeconds(40));
        return (events.Where(e => e.GetProperty("event").GetString() == "message").ToList(), events[^1]);
    }

    [Theory]
    [InlineData(3, 30)]
    [InlineData(3, 40)]
    [InlineData(1, 55)]
    public async Task JsWaku030_V04Encoding_SameMessagesInTheSameOrder(int topics, int count)
    {
        var served = VersionZero(count);
        await using var peer = await JsBeta3StorePeer.StartAsync(served, Beta3Encoding.Nwaku03To04);
        var contentTopics = AllTopics.Take(topics).ToArray();

        // js-waku 0.3.0 always pages forward, 10 a page.
        var ours = await Client(peer).QueryAllAsync(new StoreQuery { PubsubTopic = JsBeta3StorePeer.DefaultTopic, ContentTopics = contentTopics, PageSize = 10 }, Ct());
        var js = await JsWakuAsync(peer, new() { ["sdk"] = "0.3.0", ["contentTopics"] = contentTopics });

        Assert.Equal(Beta3Encoding.Nwaku03To04, ours.Encoding.Encoding);
        Assert.Equal(Beta3EncodingSource.Detected, ours.Encoding.Source);
        Assert.Equal("0.3.0", js.Summary.GetProperty("sdk").GetString());
        var expected = served.Where(m => m.PubsubTopic == JsBeta3StorePeer.DefaultTopic && contentTopics.Contains(m.ContentTopic)).ToList();
        Assert.True(expected.Count > 10);
        Assert.Equal(expected.Count, ours.Result.Messages.Count);
        Assert.Equal(js.Messages.Select(Key), ours.Result.Messages.Select(Key));
        // As many requests each (both stop on a short page, or on an empty one after a full one): ours carry a
        // 32-hex request ID, js-waku's a hyphenated UUID.
        var requests = await peer.RequestsAsync(ours.Result.Pages * 2);
        Assert.Equal(ours.Result.Pages, requests.Count(r => r.GetProperty("requestId").GetString()!.Contains('-', StringComparison.Ordinal)));
        Assert.Equal(ours.Result.Pages, requests.Count(r => !r.GetProperty("requestId").GetString()!.Contains('-', StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData(3, "forward", 10, null, null)]
    [InlineData(3, "backward", 7, null, null)]
    [InlineData(2, "forward", 4, null, null)]
    [InlineData(3, "backward", 5, 1_625_097_601_000L, 1_625_097_604_500L)]
    [InlineData(1, "forward", 3, 1_625_097_600_500L, 1_625_097_606_000L)]
    public async Task JsWaku0122_V05Encoding_SamePagesOfSameMessages(int topics, string direction, int pageSize, long? fromMs, long? toMs)
    {
        var served = VersionZero(60);
        await using var peer = await JsBeta3StorePeer.StartAsync(served, Beta3Encoding.Nwaku05To07);
        var contentTopics = AllTopics.Take(topics).ToArray();
        var query = new StoreQuery
        {
            PubsubTopic = JsBeta3StorePeer.DefaultTopic, ContentTopics = contentTopics, Forward = direction == "forward", PageSize = pageSize,
            TimeStart = fromMs * 1_000_000, TimeEnd = toMs * 1_000_000,
        };

        var ours = new List<StorePage>();
        await foreach (var page in Client(peer).QueryPagesAsync(query, Ct()))
        {
            Assert.Equal(Beta3Encoding.Nwaku05To07, page.Encoding.Encoding);
            ours.Add(page.Page);
        }

        var args = new Dictionary<string, object?> { ["sdk"] = "0.12.2", ["contentTopics"] = contentTopics, ["direction"] = direction, ["pageSize"] = pageSize };
        if (fromMs is not null)
        {
            args["timeStartMs"] = fromMs;
            args["timeEndMs"] = toMs;
        }

        var js = await JsWakuAsync(peer, args);

        Assert.True(ours.Count(p => p.Messages.Count > 0) >= 2, $"the filter should span several pages, got {ours.Count}");
        Assert.All(ours, p => Assert.Empty(p.Rejected));
        Assert.Equal("0.12.2", js.Summary.GetProperty("sdk").GetString());
        var jsPages = js.Messages.GroupBy(m => m.GetProperty("page").GetInt32()).OrderBy(g => g.Key).Select(g => g.Select(Key).ToList()).ToList();
        Assert.Equal(jsPages, ours.Where(p => p.Messages.Count > 0).Select(p => p.Messages.Select(Key).ToList()).ToList());
    }

    /// <summary>The July 2021 breakage, reproduced with the clients of the time: each reads the other encoding's answers
    /// with its own generated decoder and fails; js-waku 0.3.0 even catches the error and sends the same query again
    /// without end. Our client reads both.</summary>
    [Theory]
    [InlineData("0.3.0", Beta3Encoding.Nwaku05To07)]
    [InlineData("0.12.2", Beta3Encoding.Nwaku03To04)]
    public async Task JsWakuOfTheOtherEncoding_CannotReadTheNodeWeDetectIt(string sdk, Beta3Encoding node)
    {
        var served = VersionZero(25);
        await using var peer = await JsBeta3StorePeer.StartAsync(served, node);

        var ours = await Client(peer).QueryAllAsync(new StoreQuery { PubsubTopic = JsBeta3StorePeer.DefaultTopic, ContentTopics = AllTopics, PageSize = 10 }, Ct());
        var args = new Dictionary<string, object?> { ["sdk"] = sdk, ["contentTopics"] = AllTopics, ["timeoutMs"] = 4000 };
        if (sdk == "0.12.2")
        {
            args["direction"] = "forward";
        }

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => JsWakuAsync(peer, args));

        Assert.Equal(node, ours.Encoding.Encoding);
        Assert.Equal(served.Count(m => m.PubsubTopic == JsBeta3StorePeer.DefaultTopic), ours.Result.Messages.Count);
        Assert.Contains("exited with code 1", e.Message, StringComparison.Ordinal);
        if (sdk == "0.3.0")
        {
            Assert.Contains("no result within 4000 ms", e.Message, StringComparison.Ordinal);
            // Our 3 requests, then js-waku's retries of its first query: far more than the 3 pages there are.
            var requests = await peer.RequestsAsync(30);
            Assert.True(requests.Skip(3).All(r => r.GetProperty("cursor").ValueKind == JsonValueKind.Null), "js-waku 0.3.0 never got past its first page");
        }
        else
        {
            Assert.Contains("the client threw: invalid wire type", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task JsWaku0122_VersionOneMessages_DroppedByJsWakuReturnedByUs()
    {
        var served = JsBeta3StorePeer.MakeMessages(30);
        await using var peer = await JsBeta3StorePeer.StartAsync(served, Beta3Encoding.Nwaku05To07);

        var ours = await Client(peer).QueryAllAsync(new StoreQuery { PubsubTopic = JsBeta3StorePeer.DefaultTopic, ContentTopics = AllTopics, PageSize = 10 }, Ct());
        var js = await JsWakuAsync(peer, new() { ["sdk"] = "0.12.2", ["contentTopics"] = AllTopics, ["direction"] = "forward", ["pageSize"] = 10 });

        // js-waku 0.12.2 treats version 1 as encrypted and, holding no key, leaves such a message out.
        Assert.Contains(ours.Result.Messages, m => m.Version == 1);
        Assert.Equal(ours.Result.Messages.Where(m => m.Version == 0).Select(Key), js.Messages.Select(Key));
    }
}
