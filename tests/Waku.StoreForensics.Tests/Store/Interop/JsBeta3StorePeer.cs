using System.Text;
using System.Text.Json;
using Waku.StoreForensics.Net;
using Waku.StoreForensics.Net.Multiformats;
using Waku.StoreForensics.Schema;
using Waku.StoreForensics.Store;
using Waku.StoreForensics.Tests.Net.Interop;

namespace Waku.StoreForensics.Tests.Store.Interop;

/// <summary>A 2021 message as a beta3 store served it: the timestamp is double Unix seconds (the era's unit).</summary>
internal sealed record Beta3ServedMessage(string PubsubTopic, string ContentTopic, byte[] Payload, uint Version, double TimestampSeconds)
{
    /// <summary>The timestamp in the project's unit as nwaku converts it (getNanosecondTime: double product, truncated).</summary>
    public long TimestampNanoseconds => (long)(TimestampSeconds * 1e9);

    public string HashHex => Convert.ToHexStringLower(NwakuMessageKeys.ComputeMessageHash(
        Encoding.UTF8.GetBytes(PubsubTopic), Payload, Encoding.UTF8.GetBytes(ContentTopic), [], TimestampNanoseconds));

    /// <summary>The era's Index digest (nwaku computeIndex): SHA-256(content topic ‖ payload).</summary>
    public string DigestHex => Convert.ToHexStringLower(NwakuMessageKeys.ComputeDigest(Encoding.UTF8.GetBytes(ContentTopic), Payload));
}

/// <summary>tests/interop/js-waku-beta3/beta3-peer.mjs (js-waku's own generated protobuf of 0.3.0 or 0.12.2) run by a
/// test, plus a host dialled to it; both disposed together.</summary>
internal sealed class JsBeta3StorePeer : IAsyncDisposable
{
    /// <summary>The default pubsub topic of 2021 (nwaku v0.3–v0.7, js-waku 0.3–0.12).</summary>
    public const string DefaultTopic = "/waku/2/default-waku/proto";
    public const string OtherTopic = "/waku/2/other-waku/proto";
    public static readonly string[] ContentTopics = ["/toy-chat/2/huilong/proto", "/status/1/x/json", "/app/1/y/proto"];

    /// <summary>2021-07-01T00:00:00Z, the month of the renumbering.</summary>
    public const double BaseSeconds = 1_625_097_600;

    private readonly JsServingPeer _peer;

    private JsBeta3StorePeer(JsServingPeer peer)
    {
        _peer = peer;
    }

    public JsPeer Js => _peer.Js;

    public Libp2pConnection Connection => _peer.Connection;

    public Multiaddress Address => _peer.Address;

    /// <summary>The peer's "encoding" argument for an encoding.</summary>
    public static string Name(Beta3Encoding encoding) => encoding == Beta3Encoding.Nwaku03To04 ? "v0.4" : "v0.5";

    /// <summary><paramref name="count"/> messages in arrival order over two pubsub and three content topics; some share a
    /// timestamp, some have a timestamp no double holds exactly in nanoseconds, some an empty payload.</summary>
    public static List<Beta3ServedMessage> MakeMessages(int count)
    {
        var list = new List<Beta3ServedMessage>(count);
        for (int i = 0; i < count; i++)
        {
            var payload = i % 13 == 5 ? [] : Encoding.UTF8.GetBytes($"message {i} " + new string('x', i % 40));
            double seconds = BaseSeconds + (i / 3) * 0.25 + (i % 7 == 3 ? 0.001 : 0);
            list.Add(new Beta3ServedMessage(i % 5 == 0 ? OtherTopic : DefaultTopic, ContentTopics[i % 3], payload, (uint)(i % 2), seconds));
        }

        return list;
    }

    public static async Task<JsBeta3StorePeer> StartAsync(IReadOnlyList<Beta3ServedMessage> messages, Beta3Encoding encoding, object? extra = null) =>
        new(await JsServingPeer.StartAsync("js-waku-beta3", "beta3-peer.mjs", messages.Select(m => new
        {
            pubsubTopic = m.PubsubTopic,
            contentTopic = m.ContentTopic,
            payload = Convert.ToBase64String(m.Payload),
            version = m.Version,
            timestamp = m.TimestampSeconds,
        }), messages.Count, new() { ["encoding"] = Name(encoding) }, extra));

    /// <summary>Requests the peer logged (as js-waku's module decoded them), waiting briefly for <paramref name="count"/>.</summary>
    public Task<List<JsonElement>> RequestsAsync(int count) => _peer.RequestsAsync(count);

    public ValueTask DisposeAsync() => _peer.DisposeAsync();
}
