using System.Globalization;
using System.Text.Json;
using Waku.StoreForensics.Tests.Net.Interop;

namespace Waku.StoreForensics.Tests.Store.Interop;

/// <summary>One message as js-waku's store client handed it out (a "message" line of query.mjs).</summary>
/// <param name="Page">The sdk page it came in (1-based), null for the ordered-callback API.</param>
/// <param name="MessageHash">Hex hash js-waku computed (its messageHash, see <see cref="JsWakuQuery"/>).</param>
internal sealed record JsWakuMessage(int? Page, string MessageHash, string PubsubTopic, string ContentTopic, byte[] Payload, long? Timestamp, uint Version, byte[]? Meta, bool Ephemeral);

/// <summary>The closing "summary" line of query.mjs.</summary>
internal sealed record JsWakuSummary(string Sdk, string Protocol, int Count, int? Pages, int Undecoded, double ElapsedMs, long PayloadBytes);

/// <summary>What one run of query.mjs printed.</summary>
internal sealed record JsWakuResult(IReadOnlyList<JsWakuMessage> Messages, JsWakuSummary Summary);

/// <summary>
/// Runs js-waku's own store client (tests/interop/js-waku-v3/query.mjs with @waku/sdk 0.0.36 for store v3,
/// js-waku-v2/query.mjs with @waku/sdk 0.0.26 for the legacy store) once against a peer and reads what it printed.
/// </summary>
internal static class JsWakuQuery
{
    public const string V3 = "js-waku-v3";
    public const string V2 = "js-waku-v2";

    /// <summary>Runs query.mjs in <paramref name="folder"/> (<see cref="V3"/> or <see cref="V2"/>) with
    /// <paramref name="args"/> as its JSON argument (the peer's address is added as "peer").</summary>
    public static async Task<JsWakuResult> RunAsync(string folder, JsStorePeer peer, object args, TimeSpan? timeout = null)
    {
        var config = new Dictionary<string, object?> { ["peer"] = peer.Address.ToString() };
        foreach (var p in args.GetType().GetProperties())
        {
            if (p.GetValue(args) is { } value)
            {
                config[p.Name] = value;
            }
        }

        await using var js = await JsPeer.StartAsync(JsPeer.FindDirectory(folder, "query.mjs"), "query.mjs", config);
        var events = await js.ReadUntilAsync("summary", timeout ?? TimeSpan.FromSeconds(30));
        var messages = events.Where(e => e.GetProperty("event").GetString() == "message").Select(ReadMessage).ToList();
        var s = events[^1];
        var summary = new JsWakuSummary(
            s.GetProperty("sdk").GetString()!,
            s.GetProperty("protocol").GetString()!,
            s.GetProperty("count").GetInt32(),
            s.GetProperty("pages").ValueKind == JsonValueKind.Null ? null : s.GetProperty("pages").GetInt32(),
            s.GetProperty("undecoded").GetInt32(),
            s.GetProperty("elapsedMs").GetDouble(),
            s.GetProperty("payloadBytes").GetInt64());
        return new JsWakuResult(messages, summary);
    }

    private static JsWakuMessage ReadMessage(JsonElement e)
    {
        static string? Str(JsonElement e, string name) => e.GetProperty(name).ValueKind == JsonValueKind.Null ? null : e.GetProperty(name).GetString();
        return new JsWakuMessage(
            e.GetProperty("page").ValueKind == JsonValueKind.Null ? null : e.GetProperty("page").GetInt32(),
            e.GetProperty("messageHash").GetString()!,
            e.GetProperty("pubsubTopic").GetString()!,
            e.GetProperty("contentTopic").GetString()!,
            Convert.FromBase64String(e.GetProperty("payload").GetString()!),
            Str(e, "timestamp") is { } ts ? long.Parse(ts, CultureInfo.InvariantCulture) : null,
            e.GetProperty("version").GetUInt32(),
            Str(e, "meta") is { } meta ? Convert.FromBase64String(meta) : null,
            e.GetProperty("ephemeral").GetBoolean());
    }
}
