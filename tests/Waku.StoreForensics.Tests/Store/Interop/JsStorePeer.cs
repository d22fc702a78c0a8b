using System.Text;
using System.Text.Json;
using Waku.StoreForensics.Net;
using Waku.StoreForensics.Net.Multiformats;
using Waku.StoreForensics.Schema;
using Waku.StoreForensics.Tests.Net.Interop;

namespace Waku.StoreForensics.Tests.Store.Interop;

/// <summary>A message the js store peer serves, with the hash computed on our side.</summary>
internal sealed record ServedMessage(string PubsubTopic, string ContentTopic, byte[] Payload, uint Version, long Timestamp, byte[]? Meta)
{
    public byte[] Hash { get; } = NwakuMessageKeys.ComputeMessageHash(
        Encoding.UTF8.GetBytes(PubsubTopic), Payload, Encoding.UTF8.GetBytes(ContentTopic), Meta ?? [], Timestamp);

    public string HashHex => Convert.ToHexStringLower(Hash);

    /// <summary>The legacy Index digest: SHA-256(content topic ‖ payload).</summary>
    public byte[] Digest => NwakuMessageKeys.ComputeDigest(Encoding.UTF8.GetBytes(ContentTopic), Payload);
}

/// <summary>tests/interop/js-store/store-peer.mjs run by a test, plus a host dialled to it; both disposed together.</summary>
internal sealed class JsStorePeer : IAsyncDisposable
{
    public const string PubsubA = "/waku/2/rs/1/0";
    public const string PubsubB = "/waku/2/rs/1/1";
    public static readonly string[] ContentTopics = ["/app/1/chat/proto", "/app/1/status/proto", "/other/2/x/json"];
    public const long BaseTime = 1_732_000_000_000_000_000;

    private readonly JsServingPeer _peer;

    private JsStorePeer(JsServingPeer peer)
    {
        _peer = peer;
    }

    public JsPeer Js => _peer.Js;

    public Libp2pHost Host => _peer.Host;

    public Libp2pConnection Connection => _peer.Connection;

    public Multiaddress Address => _peer.Address;

    /// <summary><paramref name="count"/> messages over two pubsub and three content topics; some share a
    /// timestamp (order then by hash), some have meta, some an empty payload or zero timestamp.</summary>
    public static List<ServedMessage> MakeMessages(int count)
    {
        var list = new List<ServedMessage>(count);
        for (int i = 0; i < count; i++)
        {
            var payload = i % 13 == 5 ? [] : Encoding.UTF8.GetBytes($"message {i} " + new string('x', i % 40));
            long ts = i == 0 ? 0 : BaseTime + (i / 3) * 1_000_000L;
            byte[]? meta = i % 4 == 1 ? [(byte)i, 0xAB] : null;
            list.Add(new ServedMessage(i % 5 == 0 ? PubsubB : PubsubA, ContentTopics[i % 3], payload, (uint)(i % 2), ts, meta));
        }

        return list;
    }

    /// <summary>The order nwaku returns: ascending (timestamp, hash).</summary>
    public static List<ServedMessage> InStoreOrder(IEnumerable<ServedMessage> messages) =>
        messages.OrderBy(m => m.Timestamp).ThenBy(m => m.HashHex, StringComparer.Ordinal).ToList();

    /// <summary>The legacy store's order (nwaku v0.14+): ascending (storedAt, digest); storedAt = timestamp here.</summary>
    public static List<ServedMessage> InLegacyOrder(IEnumerable<ServedMessage> messages) =>
        messages.OrderBy(m => m.Timestamp).ThenBy(m => Convert.ToHexStringLower(m.Digest), StringComparer.Ordinal).ToList();

    public static async Task<JsStorePeer> StartAsync(IReadOnlyList<ServedMessage> messages, object? extra = null) =>
        new(await JsServingPeer.StartAsync("js-store", "store-peer.mjs", messages.Select(m => new
        {
            pubsubTopic = m.PubsubTopic,
            contentTopic = m.ContentTopic,
            payload = Convert.ToBase64String(m.Payload),
            version = m.Version,
            timestamp = m.Timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture),
            meta = m.Meta is null ? null : Convert.ToBase64String(m.Meta),
        }), messages.Count, [], extra));

    /// <summary>Requests the peer logged so far (its "request" events), waiting briefly for <paramref name="count"/>.</summary>
    public Task<List<JsonElement>> RequestsAsync(int count) => _peer.RequestsAsync(count);

    public ValueTask DisposeAsync() => _peer.DisposeAsync();
}
