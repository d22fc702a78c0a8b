using Google.Protobuf;
using Waku.StoreForensics.Net;
using Waku.StoreForensics.Store;
using Waku.StoreForensics.Store.Protos;
using Waku.StoreForensics.Tests.Net;
using Index = Waku.StoreForensics.Store.Protos.Index;

namespace Waku.StoreForensics.Tests.Store;

/// <summary>The legacy store client against an in-process server: nwaku's decoder quirks on the request side.</summary>
public class LegacyStoreClientTests
{
    private const string Pubsub = "/waku/2/rs/1/0";

    [Fact]
    public async Task QueryAll_CursorWithZeroSenderTime_SentBackWithAllFourIndexFields()
    {
        var requests = new List<byte[]>();
        var message = new WakuMessage { Payload = ByteString.CopyFromUtf8("p"), ContentTopic = "/a/1/b/proto" };
        var digest = Waku.StoreForensics.Schema.NwakuMessageKeys.ComputeDigest("/a/1/b/proto"u8, "p"u8);
        var client = new LegacyStoreClient(async ct =>
        {
            var (ours, theirs) = DuplexPipe.Create();
            _ = Task.Run(async () =>
            {
                var bytes = await LengthPrefixed.ReadAsync(theirs, 1 << 20, CancellationToken.None);
                int n;
                lock (requests)
                {
                    requests.Add(bytes!);
                    n = requests.Count;
                }

                var rpc = HistoryRPC.Parser.ParseFrom(bytes);
                var response = new HistoryResponse { Error = HistoryResponse.Types.Error.None };
                response.Messages.Add(message);
                if (n == 1)
                {
                    // A message without timestamp: sender_time 0, which proto3 would otherwise leave off the wire.
                    response.PagingInfo = new PagingInfo { Cursor = new Index { Digest = ByteString.CopyFrom(digest), ReceiverTime = 5, SenderTime = 0, PubsubTopic = Pubsub } };
                }

                await LengthPrefixed.WriteAsync(theirs, new HistoryRPC { RequestId = rpc.RequestId, Response = response }.ToByteArray(), CancellationToken.None);
                theirs.Dispose();
            }, ct);
            await Task.Yield();
            return ours;
        }, new StoreClientOptions { RequestTimeout = TimeSpan.FromSeconds(2) });

        var result = await client.QueryAllAsync(new StoreQuery { PubsubTopic = Pubsub, PageSize = 1 }, new CancellationTokenSource(TimeSpan.FromSeconds(5)).Token);

        Assert.Equal(2, result.Pages);
        var second = HistoryRPC.Parser.ParseFrom(requests[1]);
        Assert.False(string.IsNullOrEmpty(second.RequestId));
        var cursor = second.Query.PagingInfo.Cursor;
        Assert.True(cursor.HasDigest && cursor.HasReceiverTime && cursor.HasSenderTime && cursor.HasPubsubTopic);
        Assert.Equal(0, cursor.SenderTime);
        Assert.Equal(5, cursor.ReceiverTime);
        // The duplicate on page 2 (same message) is rejected, not returned twice.
        Assert.Single(result.Messages);
        Assert.Equal(MessageRejection.Duplicate, Assert.Single(result.Rejected).Reason);
    }

    [Fact]
    public void BuildRequest_Filters_MapToHistoryQueryFields()
    {
        var rpc = LegacyStoreClient.BuildRequest(new StoreQuery { PubsubTopic = Pubsub, ContentTopics = ["/a/1/b/proto"], TimeStart = 10, TimeEnd = 20, PageSize = 50, Forward = false }, null);

        Assert.Equal(32, rpc.RequestId.Length);
        Assert.Equal(Pubsub, rpc.Query.PubsubTopic);
        Assert.Equal("/a/1/b/proto", Assert.Single(rpc.Query.ContentFilters).ContentTopic);
        Assert.True(rpc.Query.HasStartTime && rpc.Query.StartTime == 10 && rpc.Query.HasEndTime && rpc.Query.EndTime == 20);
        Assert.Equal(50ul, rpc.Query.PagingInfo.PageSize);
        Assert.Equal(PagingInfo.Types.Direction.Backward, rpc.Query.PagingInfo.Direction);
        Assert.Null(rpc.Query.PagingInfo.Cursor);
    }
}
