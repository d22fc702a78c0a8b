using System.Text;
using Google.Protobuf;
using Waku.StoreForensics.Net;
using Waku.StoreForensics.Store;
using Waku.StoreForensics.Tests.Net;
using Beta3Message = Waku.StoreForensics.Store.Protos.Beta3.WakuMessage;
using V04 = Waku.StoreForensics.Store.Protos.Beta3V04;
using V05 = Waku.StoreForensics.Store.Protos.Beta3V05;

namespace Waku.StoreForensics.Tests.Store;

/// <summary>The beta3 client against an in-process node: the edges of encoding detection and the era's units.</summary>
public class Beta3StoreClientTests
{
    private const string Pubsub = "/waku/2/default-waku/proto";

    /// <summary>A client whose every request is answered by <paramref name="answer"/> (request ID → response frame).</summary>
    private static Beta3StoreClient Serve(Func<string, int, byte[]> answer, Beta3Encoding? encoding = null, List<byte[]>? requests = null)
    {
        int count = 0;
        return new Beta3StoreClient(async ct =>
        {
            var (ours, theirs) = DuplexPipe.Create();
            _ = Task.Run(async () =>
            {
                var bytes = await LengthPrefixed.ReadAsync(theirs, 1 << 20, CancellationToken.None);
                lock (answer)
                {
                    requests?.Add(bytes!);
                }

                // Both encodings share HistoryRPC.request_id = 1.
                string id = V05.HistoryRPC.Parser.ParseFrom(bytes).RequestId;
                await LengthPrefixed.WriteAsync(theirs, answer(id, Interlocked.Increment(ref count)), CancellationToken.None);
                theirs.Dispose();
            }, ct);
            await Task.Yield();
            return ours;
        }, encoding, new StoreClientOptions { RequestTimeout = TimeSpan.FromSeconds(2), MaxRetries = 0 });
    }

    private static CancellationToken Ct() => new CancellationTokenSource(TimeSpan.FromSeconds(5)).Token;

    private static Beta3Message Message(string text) => new() { Payload = ByteString.CopyFromUtf8(text), ContentTopic = "/a/1/b/proto", Version = 0, Timestamp = 1_625_097_600.5 };

    [Theory]
    [InlineData(1_625_097_600.25, 1_625_097_600_249_999_872L)]
    [InlineData(1_625_097_600.001, 1_625_097_600_000_999_936L)]
    [InlineData(0.5, 500_000_000L)]
    [InlineData(0, 0L)]
    public void ToNanoseconds_AsNwakuGetNanosecondTime_DoubleProductTruncated(double seconds, long nanoseconds)
    {
        Assert.Equal(nanoseconds, Beta3Codec.ToNanoseconds(seconds));
    }

    [Fact]
    public void BuildRequest_FirstPage_SameBytesInBothEncodings()
    {
        var query = new StoreQuery { PubsubTopic = Pubsub, ContentTopics = ["/a/1/b/proto"], TimeStart = 1_625_097_600_000_000_000, TimeEnd = 1_625_097_700_000_000_000, PageSize = 50, Forward = false };

        var old = Beta3StoreClient.BuildRequest(Beta3Encoding.Nwaku03To04, query, null, "id").ToByteArray();
        var renumbered = Beta3StoreClient.BuildRequest(Beta3Encoding.Nwaku05To07, query, null, "id").ToByteArray();

        Assert.Equal(Convert.ToHexString(old), Convert.ToHexString(renumbered));
        var parsed = V04.HistoryRPC.Parser.ParseFrom(old).Query;
        Assert.Equal(1_625_097_600.0, parsed.StartTime);
        Assert.Equal(1_625_097_700.0, parsed.EndTime);
        Assert.True(parsed.PagingInfo.HasDirection);
        Assert.Equal(V04.PagingInfo.Types.Direction.Backward, parsed.PagingInfo.Direction);
    }

    [Fact]
    public async Task QueryAll_ResponseReadsTheSameBothWays_UndeterminedNotAGuess()
    {
        // An answer with no messages and no paging info: nothing in it differs between the encodings.
        var client = Serve((id, _) => new V05.HistoryRPC { RequestId = id, Response = new V05.HistoryResponse() }.ToByteArray());

        var result = await client.QueryAllAsync(new StoreQuery { PubsubTopic = Pubsub }, Ct());

        Assert.True(result.Result.Complete);
        Assert.Empty(result.Result.Messages);
        Assert.Equal(Beta3EncodingSource.Undetermined, result.Encoding.Source);
        Assert.Null(result.Encoding.Encoding);
        Assert.Null(result.Encoding.DecidedOnPage);
    }

    [Fact]
    public async Task QueryAll_EmptyPageWithPagingInfoInField3_DetectedByTheUnknownFieldAlone()
    {
        // nwaku v0.5's empty answer carries its paging info in field 3. Read as v0.3–v0.4 that is an empty page with an
        // unknown field and nothing else wrong: only the unknown-field rule tells the encodings apart here.
        var client = Serve((id, _) => new V05.HistoryRPC
        {
            RequestId = id,
            Response = new V05.HistoryResponse { PagingInfo = new V05.PagingInfo { PageSize = 0, Direction = V05.PagingInfo.Types.Direction.Forward } },
        }.ToByteArray());

        var result = await client.QueryAllAsync(new StoreQuery { PubsubTopic = Pubsub }, Ct());

        Assert.Empty(result.Result.Messages);
        Assert.Equal(Beta3Encoding.Nwaku05To07, result.Encoding.Encoding);
        Assert.Equal(Beta3EncodingSource.Detected, result.Encoding.Source);
        Assert.Contains("with v0.3-v0.4 ones it has fields this encoding does not define", result.Encoding.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueryAll_ResponseValidBothWaysWithDifferentContent_EncodingAmbiguous()
    {
        // v0.3–v0.4 reads field 2 as paging info whose cursor digest is 32 ASCII bytes; v0.5–v0.7 reads the same bytes
        // as one message whose content topic is those bytes as text. Both readings are well-formed.
        var digest = Encoding.ASCII.GetBytes(new string('d', 32));
        var client = Serve((id, _) => new V04.HistoryRPC
        {
            RequestId = id,
            Response = new V04.HistoryResponse { PagingInfo = new V04.PagingInfo { Cursor = new V04.Index { Digest = ByteString.CopyFrom(digest) }, Direction = V04.PagingInfo.Types.Direction.Forward } },
        }.ToByteArray());

        var e = await Assert.ThrowsAsync<StoreException>(() => client.QueryAllAsync(new StoreQuery { PubsubTopic = Pubsub }, Ct()));

        Assert.Equal(StoreErrorKind.EncodingAmbiguous, e.Kind);
        Assert.Contains("pin one", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueryAll_OldEncodingWithMessages_DetectedAndTheOtherEncodingsReadingExplained()
    {
        var client = Serve((id, _) =>
        {
            var response = new V04.HistoryResponse { PagingInfo = new V04.PagingInfo { PageSize = 2, Direction = V04.PagingInfo.Types.Direction.Forward } };
            response.Messages.Add(Message("one"));
            response.Messages.Add(Message("two"));
            return new V04.HistoryRPC { RequestId = id, Response = response }.ToByteArray();
        });

        var result = await client.QueryAllAsync(new StoreQuery { PubsubTopic = Pubsub, PageSize = 5 }, Ct());

        Assert.Equal(Beta3Encoding.Nwaku03To04, result.Encoding.Encoding);
        Assert.Equal(Beta3EncodingSource.Detected, result.Encoding.Source);
        Assert.Equal(1, result.Encoding.DecidedOnPage);
        Assert.Contains("with v0.5-v0.7 ones it has fields this encoding does not define", result.Encoding.Explanation, StringComparison.Ordinal);
        Assert.Empty(result.Result.Rejected.Select(r => r.Detail));
        Assert.Equal(["one", "two"], result.Result.Messages.Select(m => Encoding.UTF8.GetString(m.Payload)));
        Assert.All(result.Result.Messages, m => Assert.Equal(1_625_097_600_500_000_000L, m.Timestamp));
    }

    [Fact]
    public async Task QueryAll_PinnedMalformedMessage_RejectedOneByOneDetectionRefusesThePage()
    {
        byte[] Answer(string id, int _)
        {
            var response = new V05.HistoryResponse { PagingInfo = new V05.PagingInfo { PageSize = 2 } };
            response.Messages.Add(Message("good"));
            response.Messages.Add(new Beta3Message { Payload = ByteString.CopyFromUtf8("bad"), ContentTopic = "/a/1/b/proto", Timestamp = double.NaN });
            return new V05.HistoryRPC { RequestId = id, Response = response }.ToByteArray();
        }

        var pinned = await Serve(Answer, Beta3Encoding.Nwaku05To07).QueryAllAsync(new StoreQuery { PubsubTopic = Pubsub, PageSize = 5 }, Ct());
        var detected = await Assert.ThrowsAsync<StoreException>(() => Serve(Answer).QueryAllAsync(new StoreQuery { PubsubTopic = Pubsub, PageSize = 5 }, Ct()));

        Assert.Equal("good", Encoding.UTF8.GetString(Assert.Single(pinned.Result.Messages).Payload));
        Assert.Equal(MessageRejection.MalformedMessage, Assert.Single(pinned.Result.Rejected).Reason);
        Assert.Equal(StoreErrorKind.MalformedResponse, detected.Kind);
        Assert.Contains("fits neither beta3 encoding", detected.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueryAll_CursorEchoedFieldForField_SenderTimeOnlyWhereTheNodeSentOne()
    {
        var requests = new List<byte[]>();
        var digest = Waku.StoreForensics.Schema.NwakuMessageKeys.ComputeDigest("/a/1/b/proto"u8, "p"u8);
        var client = Serve((id, n) =>
        {
            // Every page the same message under a new receive time: a sender time of 0 must still go back.
            var response = new V05.HistoryResponse { PagingInfo = new V05.PagingInfo { PageSize = 1, Cursor = new V05.Index { Digest = ByteString.CopyFrom(digest), ReceiverTime = 7.25 * n, SenderTime = 0 } } };
            response.Messages.Add(new Beta3Message { Payload = ByteString.CopyFromUtf8("p"), ContentTopic = "/a/1/b/proto" });
            return new V05.HistoryRPC { RequestId = id, Response = response }.ToByteArray();
        }, requests: requests);

        var pages = new List<Beta3Page>();
        await foreach (var page in client.QueryPagesAsync(new StoreQuery { PubsubTopic = Pubsub, PageSize = 1 }, Ct()))
        {
            pages.Add(page);
            if (pages.Count == 2)
            {
                break;
            }
        }

        var cursor = V05.HistoryRPC.Parser.ParseFrom(requests[1]).Query.PagingInfo.Cursor;
        Assert.True(cursor.HasReceiverTime && cursor.HasSenderTime);
        Assert.Equal(7.25, cursor.ReceiverTime);
        Assert.Equal(0, cursor.SenderTime);
        Assert.Equal(Convert.ToHexString(digest), Convert.ToHexString(cursor.Digest.ToByteArray()));
        Assert.Single(pages[0].Page.Messages);
        Assert.Equal(MessageRejection.Duplicate, Assert.Single(pages[1].Page.Rejected).Reason);
    }

    [Fact]
    public async Task QueryAll_OneTimeBound_ArgumentException()
    {
        var client = Serve((id, _) => throw new InvalidOperationException("no request expected"));

        await Assert.ThrowsAsync<ArgumentException>(() => client.QueryAllAsync(new StoreQuery { PubsubTopic = Pubsub, TimeStart = 1 }, Ct()));
    }
}
