using System.Text;
using CsCheck;
using Google.Protobuf;
using Waku.StoreForensics.Net;
using Waku.StoreForensics.Schema;
using Waku.StoreForensics.Store;
using Waku.StoreForensics.Store.Protos;
using Waku.StoreForensics.Tests.Net;
using V05 = Waku.StoreForensics.Store.Protos.Beta3V05;

namespace Waku.StoreForensics.Tests.Store;

/// <summary>
/// Every store client against a node whose valid answers are damaged at random bytes (or cut short): a query ends with
/// the messages whose hashes it could recompute, or with a <see cref="StoreException"/> — never another exception,
/// never a hang, never a message whose hash does not match its content.
/// </summary>
public class StoreClientHostileResponseTests
{
    private const string Pubsub = "/waku/2/rs/1/0";
    private const string Beta3Pubsub = "/waku/2/default-waku/proto";

    private static readonly Gen<(int[] Offsets, byte[] Values, int Cut)> Damage =
        Gen.Select(Gen.Int[0, 4095].Array[1, 8], Gen.Byte.Array[8], Gen.Int[0, 3]);

    private static readonly StoreClientOptions Options = new() { RequestTimeout = TimeSpan.FromSeconds(1), MaxRetries = 0 };

    /// <summary>A node answering every request with <paramref name="answer"/>'s frame after <paramref name="damage"/>.</summary>
    private static Func<CancellationToken, Task<Stream>> Node(Func<byte[], byte[]> answer, (int[] Offsets, byte[] Values, int Cut) damage) => async ct =>
    {
        var (ours, theirs) = DuplexPipe.Create();
        _ = Task.Run(async () =>
        {
            try
            {
                var request = await LengthPrefixed.ReadAsync(theirs, 1 << 20, CancellationToken.None);
                byte[] frame = answer(request!);
                for (int i = 0; i < damage.Offsets.Length; i++)
                {
                    frame[damage.Offsets[i] % frame.Length] = damage.Values[i];
                }

                // One case in four also cuts the frame short.
                await LengthPrefixed.WriteAsync(theirs, damage.Cut == 0 ? frame[..(frame.Length / 2)] : frame, CancellationToken.None);
            }
            catch (IOException)
            {
                // The client gave up first.
            }

            theirs.Dispose();
        }, ct);
        await Task.Yield();
        return ours;
    };

    private static WakuMessage Message(int i) => new()
    {
        Payload = ByteString.CopyFromUtf8($"payload {i}"),
        ContentTopic = "/app/1/chat/proto",
        Timestamp = 1_700_000_000_000_000_000 + i,
    };

    private static void AssertEndsCleanly(Func<Task<IReadOnlyList<StoreMessage>>> query, Func<StoreMessage, bool> proven)
    {
        var work = Task.Run(async () =>
        {
            try
            {
                foreach (var message in await query())
                {
                    Assert.True(proven(message), $"message {message.MessageHashHex} does not match its content");
                }
            }
            catch (StoreException)
            {
                // A typed error: the expected end for most damage.
            }
        });
        Assert.True(work.Wait(TimeSpan.FromSeconds(10)), "the query did not end");
        work.GetAwaiter().GetResult();
    }

    private static bool HashMatches(StoreMessage m) => m.MessageHash.AsSpan().SequenceEqual(NwakuMessageKeys.ComputeMessageHash(
        Encoding.UTF8.GetBytes(m.PubsubTopic ?? Pubsub), m.Payload, Encoding.UTF8.GetBytes(m.ContentTopic), m.Meta ?? [], m.Timestamp));

    [Fact]
    public void StoreV3_DamagedAnswers_EndInMessagesProvenByHashOrATypedError()
    {
        FixedSample.Run(Damage, damage =>
        {
            var client = new StoreQueryClient(Node(bytes =>
            {
                var request = StoreQueryRequest.Parser.ParseFrom(bytes);
                var response = new StoreQueryResponse { RequestId = request.RequestId, StatusCode = 200, StatusDesc = "OK" };
                for (int i = 0; i < 3; i++)
                {
                    var m = Message(i);
                    response.Messages.Add(new WakuMessageKeyValue
                    {
                        MessageHash = ByteString.CopyFrom(NwakuMessageKeys.ComputeMessageHash(Encoding.UTF8.GetBytes(Pubsub), m.Payload.Span, Encoding.UTF8.GetBytes(m.ContentTopic), [], m.Timestamp)),
                        Message = m,
                        PubsubTopic = Pubsub,
                    });
                }

                return response.ToByteArray();
            }, damage), Options);

            AssertEndsCleanly(async () => (await client.QueryAllAsync(new StoreQuery { PubsubTopic = Pubsub, PageSize = 3 })).Messages, HashMatches);
        }, iter: 150, seed: "0N0XIzNsQ0O2");
    }

    [Fact]
    public void LegacyBeta4_DamagedAnswers_EndInMessagesProvenByHashOrATypedError()
    {
        FixedSample.Run(Damage, damage =>
        {
            var client = new LegacyStoreClient(Node(bytes =>
            {
                var rpc = HistoryRPC.Parser.ParseFrom(bytes);
                var response = new HistoryResponse { Error = HistoryResponse.Types.Error.None };
                response.Messages.AddRange(Enumerable.Range(0, 3).Select(Message));
                return new HistoryRPC { RequestId = rpc.RequestId, Response = response }.ToByteArray();
            }, damage), Options);

            AssertEndsCleanly(async () => (await client.QueryAllAsync(new StoreQuery { PubsubTopic = Pubsub, PageSize = 3 })).Messages, HashMatches);
        }, iter: 150, seed: "0N0XIzNsQ0O2");
    }

    [Fact]
    public void Beta3_DamagedAnswers_EndInMessagesProvenByDigestOrATypedError()
    {
        FixedSample.Run(Damage, damage =>
        {
            var client = new Beta3StoreClient(Node(bytes =>
            {
                var rpc = V05.HistoryRPC.Parser.ParseFrom(bytes);
                var response = new V05.HistoryResponse();
                response.Messages.AddRange(Enumerable.Range(0, 3).Select(i => new Waku.StoreForensics.Store.Protos.Beta3.WakuMessage
                {
                    Payload = ByteString.CopyFromUtf8($"payload {i}"),
                    ContentTopic = "/app/1/chat/proto",
                    Timestamp = 1_625_097_600.5 + i,
                }));
                return new V05.HistoryRPC { RequestId = rpc.RequestId, Response = response }.ToByteArray();
            }, damage), null, Options);

            // beta3 has no message hash: what a message carries is checked against sha256(contentTopic ‖ payload).
            AssertEndsCleanly(
                async () => (await client.QueryAllAsync(new StoreQuery { PubsubTopic = Beta3Pubsub, PageSize = 3 })).Result.Messages,
                m => m.LegacyDigest is { } digest && digest.AsSpan().SequenceEqual(NwakuMessageKeys.ComputeDigest(Encoding.UTF8.GetBytes(m.ContentTopic), m.Payload)));
        }, iter: 150, seed: "0N0XIzNsQ0O2");
    }
}
