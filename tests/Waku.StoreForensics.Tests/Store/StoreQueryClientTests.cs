using System.Text;
using Google.Protobuf;
using Waku.StoreForensics.Net;
using Waku.StoreForensics.Schema;
using Waku.StoreForensics.Store;
using Waku.StoreForensics.Store.Protos;
using Waku.StoreForensics.Tests.Net;

namespace Waku.StoreForensics.Tests.Store;

/// <summary>The store v3 client against an in-process server over duplex pipes: one pipe per request.</summary>
public class StoreQueryClientTests
{
    private const string Pubsub = "/waku/2/rs/1/0";
    private const string Content = "/app/1/chat/proto";

    private static CancellationToken Ct => new CancellationTokenSource(TimeSpan.FromSeconds(5)).Token;

    /// <summary>A fake node: <paramref name="answer"/> gets each decoded request and returns the raw response frame body
    /// (null: close without answering).</summary>
    private static (StoreQueryClient Client, List<StoreQueryRequest> Requests) Serve(Func<StoreQueryRequest, int, byte[]?> answer, StoreClientOptions? options = null)
    {
        var requests = new List<StoreQueryRequest>();
        var client = new StoreQueryClient(async ct =>
        {
            var (ours, theirs) = DuplexPipe.Create();
            _ = Task.Run(async () =>
            {
                var bytes = await LengthPrefixed.ReadAsync(theirs, 1 << 20, CancellationToken.None);
                var request = StoreQueryRequest.Parser.ParseFrom(bytes);
                int n;
                lock (requests)
                {
                    requests.Add(request);
                    n = requests.Count;
                }

                if (answer(request, n) is { } response)
                {
                    await LengthPrefixed.WriteAsync(theirs, response, CancellationToken.None);
                }

                theirs.Dispose();
            }, ct);
            await Task.Yield();
            return ours;
        }, options ?? new StoreClientOptions { RequestTimeout = TimeSpan.FromSeconds(2) });
        return (client, requests);
    }

    private static WakuMessage Message(int i, string content = Content, long? timestamp = null) => new()
    {
        Payload = ByteString.CopyFromUtf8($"payload {i}"),
        ContentTopic = content,
        Version = 0,
        Timestamp = timestamp ?? 1_000 + i,
    };

    private static byte[] HashOf(WakuMessage m, string pubsub = Pubsub) => NwakuMessageKeys.ComputeMessageHash(
        Encoding.UTF8.GetBytes(pubsub), m.Payload.Span, Encoding.UTF8.GetBytes(m.ContentTopic), m.HasMeta ? m.Meta.Span : [], m.Timestamp);

    private static WakuMessageKeyValue Entry(WakuMessage m, string? pubsub = Pubsub, byte[]? hash = null)
    {
        var kv = new WakuMessageKeyValue { MessageHash = ByteString.CopyFrom(hash ?? HashOf(m, pubsub ?? Pubsub)), Message = m };
        if (pubsub is not null)
        {
            kv.PubsubTopic = pubsub;
        }

        return kv;
    }

    private static byte[] Ok(StoreQueryRequest request, IEnumerable<WakuMessageKeyValue> entries, byte[]? cursor = null)
    {
        var response = new StoreQueryResponse { RequestId = request.RequestId, StatusCode = 200, StatusDesc = "OK" };
        response.Messages.AddRange(entries);
        if (cursor is not null)
        {
            response.PaginationCursor = ByteString.CopyFrom(cursor);
        }

        return response.ToByteArray();
    }

    [Fact]
    public async Task QueryAll_TwoPages_SendsRequestIdLimitAndCursorAsNwakuRequires()
    {
        var (client, requests) = Serve((r, n) => n == 1
            ? Ok(r, [Entry(Message(1)), Entry(Message(2))], HashOf(Message(2)))
            : Ok(r, [Entry(Message(3))]));

        var result = await client.QueryAllAsync(new StoreQuery { PubsubTopic = Pubsub, ContentTopics = [Content], TimeStart = 5, TimeEnd = 5000, PageSize = 2 }, Ct);

        Assert.True(result.Complete);
        Assert.Equal(2, result.Pages);
        Assert.Equal(3, result.Messages.Count);
        Assert.Equal(2, requests.Count);
        Assert.All(requests, r => Assert.Equal(32, r.RequestId.Length));
        Assert.NotEqual(requests[0].RequestId, requests[1].RequestId);
        Assert.All(requests, r => Assert.True(r.HasPaginationLimit && r.PaginationLimit == 2));
        Assert.All(requests, r => Assert.True(r.IncludeData && r.PaginationForward));
        Assert.All(requests, r => Assert.Equal(Pubsub, r.PubsubTopic));
        Assert.All(requests, r => Assert.Equal([Content], r.ContentTopics));
        Assert.All(requests, r => Assert.True(r.TimeStart == 5 && r.TimeEnd == 5000));
        Assert.False(requests[0].HasPaginationCursor);
        Assert.Equal(HashOf(Message(2)), requests[1].PaginationCursor.ToByteArray());
    }

    [Fact]
    public async Task QueryAll_ResponseWithoutStatusCode_MalformedResponse()
    {
        var (client, _) = Serve((r, _) => new StoreQueryResponse { RequestId = r.RequestId }.ToByteArray());

        var e = await Assert.ThrowsAsync<StoreException>(() => client.QueryAllAsync(new StoreQuery(), Ct));

        Assert.Equal(StoreErrorKind.MalformedResponse, e.Kind);
    }

    [Fact]
    public async Task QueryAll_SuccessForAnotherRequestId_MalformedResponse()
    {
        var (client, _) = Serve((_, _) => new StoreQueryResponse { RequestId = "someone-else", StatusCode = 200 }.ToByteArray());

        var e = await Assert.ThrowsAsync<StoreException>(() => client.QueryAllAsync(new StoreQuery(), Ct));

        Assert.Equal(StoreErrorKind.MalformedResponse, e.Kind);
        Assert.Contains("request ID", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueryAll_ErrorWithPlaceholderRequestId_RemoteStatusWithCodeAndDescription()
    {
        var (client, _) = Serve((_, _) => new StoreQueryResponse { RequestId = "N/A", StatusCode = 400, StatusDesc = "bad cursor" }.ToByteArray());

        var e = await Assert.ThrowsAsync<StoreException>(() => client.QueryAllAsync(new StoreQuery(), Ct));

        Assert.Equal(StoreErrorKind.RemoteStatus, e.Kind);
        Assert.Equal(400u, e.StatusCode);
        Assert.Equal("bad cursor", e.StatusDescription);
        Assert.Contains("BadRequest", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(31, false)]
    [InlineData(33, false)]
    [InlineData(32, true)]
    public async Task QueryAll_InvalidCursor_MalformedResponse(int length, bool allZero)
    {
        var cursor = allZero ? new byte[length] : Enumerable.Repeat((byte)7, length).ToArray();
        var (client, _) = Serve((r, _) => Ok(r, [Entry(Message(1))], cursor));

        var e = await Assert.ThrowsAsync<StoreException>(() => client.QueryAllAsync(new StoreQuery(), Ct));

        Assert.Equal(StoreErrorKind.MalformedResponse, e.Kind);
        Assert.Contains("cursor", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueryAll_RepeatedCursor_PaginationLimitWithPartial()
    {
        var cursor = Enumerable.Repeat((byte)9, 32).ToArray();
        var (client, requests) = Serve((r, n) => Ok(r, [Entry(Message(n))], cursor));

        var e = await Assert.ThrowsAsync<StoreException>(() => client.QueryAllAsync(new StoreQuery(), Ct));

        Assert.Equal(StoreErrorKind.PaginationLimit, e.Kind);
        Assert.Equal(2, requests.Count);
        Assert.Equal(1, e.Partial!.Pages);
    }

    [Fact]
    public async Task QueryAll_MoreMessagesThanMaxMessages_PaginationLimit()
    {
        var (client, _) = Serve((r, n) => Ok(r, Enumerable.Range(n * 10, 10).Select(i => Entry(Message(i))), HashOf(Message(n * 10 + 9))),
            new StoreClientOptions { MaxMessages = 25 });

        var e = await Assert.ThrowsAsync<StoreException>(() => client.QueryAllAsync(new StoreQuery { PageSize = 10 }, Ct));

        Assert.Equal(StoreErrorKind.PaginationLimit, e.Kind);
        Assert.Equal(20, e.Partial!.Messages.Count);
    }

    [Fact]
    public async Task QueryAll_ClosedWithoutAnswer_TransportErrorAfterTheRetries()
    {
        var (client, requests) = Serve((_, _) => null, new StoreClientOptions { MaxRetries = 2, RetryDelay = TimeSpan.FromMilliseconds(1) });

        var e = await Assert.ThrowsAsync<StoreException>(() => client.QueryAllAsync(new StoreQuery(), Ct));

        Assert.Equal(StoreErrorKind.Transport, e.Kind);
        Assert.Equal(3, requests.Count);
    }

    [Theory]
    [InlineData(503u, true)]
    [InlineData(429u, true)]
    [InlineData(504u, true)]
    [InlineData(400u, false)]
    [InlineData(300u, false)]
    public async Task QueryAll_ErrorStatusOnce_RetriedOnlyWhenTransient(uint status, bool retried)
    {
        var (client, requests) = Serve((r, n) => n == 1
            ? new StoreQueryResponse { RequestId = r.RequestId, StatusCode = status, StatusDesc = "once" }.ToByteArray()
            : Ok(r, [Entry(Message(1))]), new StoreClientOptions { MaxRetries = 3, RetryDelay = TimeSpan.FromMilliseconds(1) });

        if (retried)
        {
            var result = await client.QueryAllAsync(new StoreQuery(), Ct);
            Assert.Single(result.Messages);
            Assert.Equal(2, requests.Count);
        }
        else
        {
            var e = await Assert.ThrowsAsync<StoreException>(() => client.QueryAllAsync(new StoreQuery(), Ct));
            Assert.Equal(status, e.StatusCode);
            Assert.Single(requests);
        }
    }

    [Fact]
    public async Task QueryAll_CallerCancels_OperationCanceledNotStoreException()
    {
        using var cts = new CancellationTokenSource();
        var client = new StoreQueryClient(async ct =>
        {
            var (ours, _) = DuplexPipe.Create();
            await Task.Yield();
            cts.CancelAfter(100);
            return ours;
        }, new StoreClientOptions { RequestTimeout = TimeSpan.FromSeconds(5) });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.QueryAllAsync(new StoreQuery(), cts.Token));
    }

    [Fact]
    public async Task QueryAll_EntriesThatCannotBeTrusted_RejectedWithTheirReasonAndNeverReturned()
    {
        var good = Message(1);
        var otherContent = Message(2, "/other/1/x/proto");
        var tooLate = Message(3, timestamp: 99_999);
        var tampered = Message(5);
        var tamperedHash = HashOf(tampered);
        tampered.Payload = ByteString.CopyFromUtf8("tampered");
        var (client, _) = Serve((r, _) => Ok(r,
        [
            Entry(good),
            new WakuMessageKeyValue { Message = Message(6) },                          // no hash
            new WakuMessageKeyValue { MessageHash = ByteString.CopyFrom(new byte[5]), Message = Message(7) },
            new WakuMessageKeyValue { MessageHash = ByteString.CopyFrom(HashOf(Message(8))), PubsubTopic = Pubsub }, // no message
            Entry(otherContent),
            Entry(tooLate),
            Entry(tampered, hash: tamperedHash),
            Entry(good),                                                               // duplicate
            Entry(Message(9), pubsub: "/waku/2/rs/1/7"),                               // other pubsub topic
        ]));

        var result = await client.QueryAllAsync(new StoreQuery { PubsubTopic = Pubsub, ContentTopics = [Content], TimeEnd = 10_000 }, Ct);

        Assert.Equal([Convert.ToHexStringLower(HashOf(good))], result.Messages.Select(m => m.MessageHashHex));
        Assert.Equal(
            [MessageRejection.MissingOrBadHash, MessageRejection.MissingOrBadHash, MessageRejection.MissingMessage, MessageRejection.OutsideQuery,
             MessageRejection.OutsideQuery, MessageRejection.HashMismatch, MessageRejection.Duplicate, MessageRejection.OutsideQuery],
            result.Rejected.Select(r => r.Reason));
        var mismatch = result.Rejected.Single(r => r.Reason == MessageRejection.HashMismatch);
        Assert.Equal(Convert.ToHexStringLower(tamperedHash), mismatch.ClaimedHash);
        Assert.Equal(Convert.ToHexStringLower(HashOf(tampered)), mismatch.ComputedHash);
    }

    [Fact]
    public async Task QueryAll_NoPubsubTopicAnywhere_RejectedAsUncheckable()
    {
        var m = Message(1);
        var (client, _) = Serve((r, _) => Ok(r, [Entry(m, pubsub: null)]));

        var result = await client.QueryAllAsync(new StoreQuery(), Ct);

        Assert.Empty(result.Messages);
        Assert.Equal(MessageRejection.MissingPubsubTopic, Assert.Single(result.Rejected).Reason);
    }

    [Fact]
    public async Task QueryAll_PubsubTopicFromQuery_UsedToCheckTheHash()
    {
        var m = Message(1);
        var (client, _) = Serve((r, _) => Ok(r, [Entry(m, pubsub: null, hash: HashOf(m))]));

        var result = await client.QueryAllAsync(new StoreQuery { PubsubTopic = Pubsub }, Ct);

        Assert.Equal(Pubsub, Assert.Single(result.Messages).PubsubTopic);
    }

    [Fact]
    public async Task QueryAll_LookupReturnsAHashNotAskedFor_Rejected()
    {
        var asked = Message(1);
        var (client, requests) = Serve((r, _) => Ok(r, [Entry(asked), Entry(Message(2))]));

        var result = await client.QueryAllAsync(new StoreQuery { MessageHashes = [HashOf(asked)] }, Ct);

        Assert.Single(result.Messages);
        Assert.Equal(MessageRejection.OutsideQuery, Assert.Single(result.Rejected).Reason);
        Assert.Equal(HashOf(asked), Assert.Single(requests[0].MessageHashes).ToByteArray());
    }

    [Fact]
    public async Task QueryAll_HashesOnly_AcceptsHashWithoutMessage()
    {
        var hash = HashOf(Message(1));
        var (client, requests) = Serve((r, _) => Ok(r, [new WakuMessageKeyValue { MessageHash = ByteString.CopyFrom(hash) }]));

        var result = await client.QueryAllAsync(new StoreQuery { IncludeData = false }, Ct);

        var m = Assert.Single(result.Messages);
        Assert.False(m.HasData);
        Assert.Equal(hash, m.MessageHash);
        Assert.False(requests[0].IncludeData);
    }

    public static TheoryData<StoreQuery> InvalidQueries => new()
    {
        new StoreQuery { PageSize = 0 },
        new StoreQuery { PageSize = 101 },
        new StoreQuery { ContentTopics = Enumerable.Range(0, 11).Select(i => $"/a/1/{i}/proto").ToArray() },
        new StoreQuery { ContentTopics = [""] },
        new StoreQuery { TimeStart = 10, TimeEnd = 9 },
        new StoreQuery { MessageHashes = [new byte[31]] },
        new StoreQuery { MessageHashes = [new byte[32]], PubsubTopic = Pubsub },
    };

    [Theory]
    [MemberData(nameof(InvalidQueries))]
    public async Task QueryAll_InvalidQuery_ArgumentExceptionBeforeAnyRequest(StoreQuery query)
    {
        var (client, requests) = Serve((r, _) => Ok(r, []));

        await Assert.ThrowsAnyAsync<ArgumentException>(() => client.QueryAllAsync(query, Ct));

        Assert.Empty(requests);
    }

    [Fact]
    public void Options_ImpossibleLimits_Rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new StoreClientOptions { MaxPages = 0 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new StoreClientOptions { MaxRetries = -1 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new StoreClientOptions { RetryDelay = TimeSpan.FromSeconds(-1) }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new StoreClientOptions { RequestTimeout = TimeSpan.Zero }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new StoreClientOptions { TotalTimeout = TimeSpan.FromSeconds(-2) }.Validate());
        new StoreClientOptions { TotalTimeout = Timeout.InfiniteTimeSpan }.Validate();
    }

    [Fact]
    public void BuildRequest_EmptyPayloadMessage_ProtoWritesFieldsNwakuRequires()
    {
        // nwaku's WakuMessage decoder (v0.16+) requires payload (1) and content_topic (2) present even when empty.
        var bytes = new WakuMessage { Payload = ByteString.Empty, ContentTopic = "" }.ToByteArray();
        Assert.Equal(Convert.FromHexString("0A001200"), bytes);
    }
}
