using System.Text;
using System.Text.Json;
using Waku.StoreForensics.Net;
using Waku.StoreForensics.Net.Crypto;
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

    private static readonly string Folder = JsPeer.FindDirectory("js-store", "store-peer.mjs");
    private readonly string _file;

    private JsStorePeer(JsPeer js, Libp2pHost host, Libp2pConnection connection, Multiaddress address, string file)
    {
        Js = js;
        Host = host;
        Connection = connection;
        Address = address;
        _file = file;
    }

    public JsPeer Js { get; }

    public Libp2pHost Host { get; }

    public Libp2pConnection Connection { get; }

    public Multiaddress Address { get; }

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

    public static async Task<JsStorePeer> StartAsync(IReadOnlyList<ServedMessage> messages, object? extra = null)
    {
        string file = Path.Combine(Path.GetTempPath(), $"js-store-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(messages.Select(m => new
        {
            pubsubTopic = m.PubsubTopic,
            contentTopic = m.ContentTopic,
            payload = Convert.ToBase64String(m.Payload),
            version = m.Version,
            timestamp = m.Timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture),
            meta = m.Meta is null ? null : Convert.ToBase64String(m.Meta),
        })));
        var config = new Dictionary<string, object?> { ["messages"] = file };
        if (extra is not null)
        {
            foreach (var p in extra.GetType().GetProperties())
            {
                config[p.Name] = p.GetValue(extra);
            }
        }

        var js = await JsPeer.StartAsync(Folder, "store-peer.mjs", config);
        try
        {
            var listening = await js.WaitForAsync("listening", TimeSpan.FromSeconds(8));
            Assert.Equal(messages.Count, listening.GetProperty("messages").GetInt32());
            var address = Multiaddress.Parse(listening.GetProperty("addrs")[0].GetString()!);
            var host = new Libp2pHost(new Libp2pHostOptions(Identity.CreateEd25519()));
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var connection = await host.DialAsync(address, cts.Token);
            return new JsStorePeer(js, host, connection, address, file);
        }
        catch
        {
            await js.DisposeAsync();
            File.Delete(file);
            throw;
        }
    }

    /// <summary>Requests the peer logged so far (its "request" events), waiting briefly for <paramref name="count"/>.</summary>
    public async Task<List<JsonElement>> RequestsAsync(int count)
    {
        var list = new List<JsonElement>();
        for (int i = 0; i < count; i++)
        {
            list.Add(await Js.WaitForAsync("request", TimeSpan.FromSeconds(3)));
        }

        return list;
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await Js.DisposeAsync();
        File.Delete(_file);
    }
}
