using System.Diagnostics;
using System.Text.Json;
using Waku.StoreForensics.Store;

namespace Waku.StoreForensics.Tests.Store.Interop;

/// <summary>Our beta3 client against a peer whose protobuf is js-waku's own (0.3.0 for the v0.3–v0.4 encoding,
/// 0.12.2 for v0.5–v0.7), pinned and detected, with the faults of the era and hostile ones.</summary>
[Collection("js-libp2p")]
public class JsBeta3StoreInteropTests
{
    private static CancellationToken Ct(int seconds = 10) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    private static Beta3StoreClient Client(JsBeta3StorePeer peer, Beta3Encoding? encoding, StoreClientOptions? options = null) =>
        new(peer.Connection, encoding, options ?? new StoreClientOptions { RequestTimeout = TimeSpan.FromSeconds(3), TotalTimeout = TimeSpan.FromSeconds(10), MaxRetries = 0 });

    private static List<Beta3ServedMessage> OnDefault(IEnumerable<Beta3ServedMessage> served) => served.Where(m => m.PubsubTopic == JsBeta3StorePeer.DefaultTopic).ToList();

    private static void AssertSame(IReadOnlyList<Beta3ServedMessage> expected, IReadOnlyList<StoreMessage> actual)
    {
        Assert.Equal(expected.Select(m => m.HashHex), actual.Select(m => m.MessageHashHex));
        Assert.Equal(expected.Select(m => m.DigestHex), actual.Select(m => Convert.ToHexStringLower(m.LegacyDigest!)));
        Assert.Equal(expected.Select(m => m.TimestampNanoseconds), actual.Select(m => m.Timestamp));
        Assert.Equal(expected.Select(m => Convert.ToBase64String(m.Payload)), actual.Select(m => Convert.ToBase64String(m.Payload)));
        Assert.Equal(expected.Select(m => m.ContentTopic), actual.Select(m => m.ContentTopic));
        Assert.Equal(expected.Select(m => m.Version), actual.Select(m => m.Version));
        Assert.All(actual, m => Assert.Equal(JsBeta3StorePeer.DefaultTopic, m.PubsubTopic));
        Assert.All(actual, m => Assert.Null(m.Meta));
    }

    [Theory]
    [InlineData(Beta3Encoding.Nwaku03To04, true)]
    [InlineData(Beta3Encoding.Nwaku03To04, false)]
    [InlineData(Beta3Encoding.Nwaku05To07, true)]
    [InlineData(Beta3Encoding.Nwaku05To07, false)]
    public async Task QueryPages_Forward_EveryMessageInArrivalOrderPageByPageWithTheNodesCursor(Beta3Encoding encoding, bool pinned)
    {
        var served = JsBeta3StorePeer.MakeMessages(60);
        await using var peer = await JsBeta3StorePeer.StartAsync(served, encoding);

        var pages = new List<Beta3Page>();
        await foreach (var page in Client(peer, pinned ? encoding : null).QueryPagesAsync(new StoreQuery { PubsubTopic = JsBeta3StorePeer.DefaultTopic, PageSize = 7 }, Ct()))
        {
            pages.Add(page);
        }

        var expected = OnDefault(served);
        Assert.Equal(48, expected.Count);
        // 48 = 6 full pages and one of 6: a short page ends the query, as nwaku's own client of the era decided.
        Assert.Equal([7, 7, 7, 7, 7, 7, 6], pages.Select(p => p.Page.Messages.Count));
        Assert.All(pages, p => Assert.Empty(p.Page.Rejected));
        AssertSame(expected, pages.SelectMany(p => p.Page.Messages).ToList());
        for (int i = 0; i < pages.Count - 1; i++)
        {
            Assert.Equal(expected[(i * 7) + 6].DigestHex, Convert.ToHexStringLower(pages[i].Page.NextCursor!));
        }

        Assert.Null(pages[^1].Page.NextCursor);
        Assert.All(pages, p => Assert.Equal(encoding, p.Encoding.Encoding));
        Assert.All(pages, p => Assert.Equal(pinned ? Beta3EncodingSource.Pinned : Beta3EncodingSource.Detected, p.Encoding.Source));
        if (!pinned)
        {
            Assert.All(pages, p => Assert.Equal(1, p.Encoding.DecidedOnPage));
        }

        // js-waku's own module decoded every request; the cursor went back field for field.
        var requests = await peer.RequestsAsync(2);
        Assert.All(requests, r => Assert.Equal(Beta3StoreClient.ProtocolId, r.GetProperty("protocol").GetString()));
        Assert.All(requests, r => Assert.Equal(7, r.GetProperty("pageSize").GetInt32()));
        Assert.All(requests, r => Assert.Equal(1, r.GetProperty("direction").GetInt32()));
        Assert.All(requests, r => Assert.Equal(JsBeta3StorePeer.DefaultTopic, r.GetProperty("pubsubTopic").GetString()));
        Assert.Equal(JsonValueKind.Null, requests[0].GetProperty("cursor").ValueKind);
        var cursor = requests[1].GetProperty("cursor");
        Assert.Equal(expected[6].DigestHex, cursor.GetProperty("digest").GetString());
        Assert.Equal(expected[6].TimestampSeconds, cursor.GetProperty("receivedTime").GetDouble());
        if (encoding == Beta3Encoding.Nwaku05To07)
        {
            Assert.Equal(expected[6].TimestampSeconds, cursor.GetProperty("senderTime").GetDouble());
        }
    }

    [Theory]
    [InlineData(Beta3Encoding.Nwaku03To04)]
    [InlineData(Beta3Encoding.Nwaku05To07)]
    public async Task QueryPages_Backward_NewestPageFirstEachAscending(Beta3Encoding encoding)
    {
        var served = JsBeta3StorePeer.MakeMessages(50);
        await using var peer = await JsBeta3StorePeer.StartAsync(served, encoding);

        var pages = new List<StorePage>();
        await foreach (var page in Client(peer, null).QueryPagesAsync(new StoreQuery { PubsubTopic = JsBeta3StorePeer.DefaultTopic, PageSize = 15, Forward = false }, Ct()))
        {
            pages.Add(page.Page);
        }

        Assert.Equal([15, 15, 10], pages.Select(p => p.Messages.Count));
        AssertSame(OnDefault(served), pages.AsEnumerable().Reverse().SelectMany(p => p.Messages).ToList());
    }

    [Theory]
    [InlineData(Beta3Encoding.Nwaku03To04)]
    [InlineData(Beta3Encoding.Nwaku05To07)]
    public async Task QueryAll_ContentTopicAndTimeFilters_OnlyMatchingMessagesAndSecondsOnTheWire(Beta3Encoding encoding)
    {
        var served = JsBeta3StorePeer.MakeMessages(60);
        await using var peer = await JsBeta3StorePeer.StartAsync(served, encoding);
        long from = 1_625_097_601_000_000_000, to = 1_625_097_603_500_000_000;

        var result = await Client(peer, null).QueryAllAsync(new StoreQuery
        {
            PubsubTopic = JsBeta3StorePeer.DefaultTopic, ContentTopics = [JsBeta3StorePeer.ContentTopics[1]], TimeStart = from, TimeEnd = to, PageSize = 3,
        }, Ct());

        var expected = OnDefault(served).Where(m => m.ContentTopic == JsBeta3StorePeer.ContentTopics[1] && m.TimestampSeconds >= 1_625_097_601.0 && m.TimestampSeconds <= 1_625_097_603.5).ToList();
        Assert.True(expected.Count > 3);
        Assert.True(result.Result.Complete);
        Assert.Empty(result.Result.Rejected);
        AssertSame(expected, result.Result.Messages);
        Assert.Equal(encoding, result.Encoding.Encoding);
        var request = (await peer.RequestsAsync(1))[0];
        Assert.Equal(1_625_097_601.0, request.GetProperty("startTime").GetDouble());
        Assert.Equal(1_625_097_603.5, request.GetProperty("endTime").GetDouble());
        Assert.Equal(JsBeta3StorePeer.ContentTopics[1], request.GetProperty("contentTopics")[0].GetString());
    }

    [Theory]
    [InlineData(Beta3Encoding.Nwaku05To07, Beta3Encoding.Nwaku03To04)]
    [InlineData(Beta3Encoding.Nwaku03To04, Beta3Encoding.Nwaku05To07)]
    public async Task QueryAll_PinnedToTheOtherEncoding_EncodingMismatchNamingTheNodesEncoding(Beta3Encoding node, Beta3Encoding pinned)
    {
        await using var peer = await JsBeta3StorePeer.StartAsync(JsBeta3StorePeer.MakeMessages(20), node);

        var e = await Assert.ThrowsAsync<StoreException>(() => Client(peer, pinned).QueryAllAsync(new StoreQuery { PubsubTopic = JsBeta3StorePeer.DefaultTopic, PageSize = 5 }, Ct()));

        Assert.Equal(StoreErrorKind.EncodingMismatch, e.Kind);
        Assert.Contains($"answered with {Beta3EncodingVerdict.ReleaseRange(node)} field numbers, not the pinned {Beta3EncodingVerdict.ReleaseRange(pinned)}", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, e.Partial!.Pages);
    }

    [Theory]
    [InlineData(Beta3Encoding.Nwaku03To04)]
    [InlineData(Beta3Encoding.Nwaku05To07)]
    public async Task QueryAll_NodeSwitchesEncodingAfterDetection_FailsLoudlyWithThePagesBefore(Beta3Encoding encoding)
    {
        var served = JsBeta3StorePeer.MakeMessages(40);
        await using var peer = await JsBeta3StorePeer.StartAsync(served, encoding, new { fault = "wrong-encoding", faultPage = 2 });

        var e = await Assert.ThrowsAsync<StoreException>(() => Client(peer, null).QueryAllAsync(new StoreQuery { PubsubTopic = JsBeta3StorePeer.DefaultTopic, PageSize = 10 }, Ct()));

        Assert.Equal(StoreErrorKind.EncodingMismatch, e.Kind);
        Assert.Contains("detected on page 1", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, e.Partial!.Pages);
        AssertSame(OnDefault(served).Take(10).ToList(), e.Partial.Messages);
    }

    [Fact]
    public async Task QueryAll_InvalidCursorError_RemoteStatus1WithPartial()
    {
        var served = JsBeta3StorePeer.MakeMessages(40);
        await using var peer = await JsBeta3StorePeer.StartAsync(served, Beta3Encoding.Nwaku05To07, new { fault = "invalid-cursor", faultPage = 2 });

        var e = await Assert.ThrowsAsync<StoreException>(() => Client(peer, null).QueryAllAsync(new StoreQuery { PubsubTopic = JsBeta3StorePeer.DefaultTopic, PageSize = 10 }, Ct()));

        Assert.Equal(StoreErrorKind.RemoteStatus, e.Kind);
        Assert.Equal(1u, e.StatusCode);
        Assert.Equal("INVALID_CURSOR", e.StatusDescription);
        Assert.Equal(10, e.Partial!.Messages.Count);
    }

    [Theory]
    [InlineData(Beta3Encoding.Nwaku03To04, null)]
    [InlineData(Beta3Encoding.Nwaku05To07, null)]
    [InlineData(Beta3Encoding.Nwaku05To07, Beta3Encoding.Nwaku05To07)]
    public async Task QueryAll_Garbage_MalformedResponse(Beta3Encoding encoding, Beta3Encoding? pinned)
    {
        await using var peer = await JsBeta3StorePeer.StartAsync(JsBeta3StorePeer.MakeMessages(30), encoding, new { fault = "garbage", faultPage = 2 });

        var e = await Assert.ThrowsAsync<StoreException>(() => Client(peer, pinned).QueryAllAsync(new StoreQuery { PubsubTopic = JsBeta3StorePeer.DefaultTopic, PageSize = 10 }, Ct()));

        Assert.Equal(StoreErrorKind.MalformedResponse, e.Kind);
        Assert.Equal(1, e.Partial!.Pages);
    }

    [Fact]
    public async Task QueryAll_EndlessPagination_PaginationLimitAfterMaxPages()
    {
        await using var peer = await JsBeta3StorePeer.StartAsync(JsBeta3StorePeer.MakeMessages(30), Beta3Encoding.Nwaku05To07, new { fault = "endless" });

        var e = await Assert.ThrowsAsync<StoreException>(() => Client(peer, null, new StoreClientOptions { MaxPages = 4, MaxRetries = 0 })
            .QueryAllAsync(new StoreQuery { PubsubTopic = JsBeta3StorePeer.DefaultTopic, PageSize = 5 }, Ct()));

        Assert.Equal(StoreErrorKind.PaginationLimit, e.Kind);
        Assert.Equal(4, e.Partial!.Pages);
        // The node repeats its first five messages with a new cursor each time: returned once, then rejected.
        Assert.Equal(5, e.Partial.Messages.Count);
        Assert.All(e.Partial.Rejected, r => Assert.Equal(MessageRejection.Duplicate, r.Reason));
    }

    [Fact]
    public async Task QueryAll_OversizeFrame_ResponseTooLargeAtOnce()
    {
        await using var peer = await JsBeta3StorePeer.StartAsync(JsBeta3StorePeer.MakeMessages(10), Beta3Encoding.Nwaku03To04, new { fault = "oversize", faultPage = 1 });
        var clock = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<StoreException>(() => Client(peer, null, new StoreClientOptions { MaxResponseBytes = 1 << 20, MaxRetries = 0 })
            .QueryAllAsync(new StoreQuery { PubsubTopic = JsBeta3StorePeer.DefaultTopic }, Ct()));

        Assert.Equal(StoreErrorKind.ResponseTooLarge, e.Kind);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task QueryAll_LyingLength_TransportErrorWithinTheRequestTimeout()
    {
        await using var peer = await JsBeta3StorePeer.StartAsync(JsBeta3StorePeer.MakeMessages(10), Beta3Encoding.Nwaku05To07, new { fault = "lying-length", faultPage = 1 });
        var clock = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<StoreException>(() => Client(peer, null).QueryAllAsync(new StoreQuery { PubsubTopic = JsBeta3StorePeer.DefaultTopic }, Ct()));

        Assert.True(e.Kind is StoreErrorKind.Transport or StoreErrorKind.Timeout, $"{e.Kind}: {e.Message}");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }
}
