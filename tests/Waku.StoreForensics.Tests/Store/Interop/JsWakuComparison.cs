using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Waku.StoreForensics.Store;

namespace Waku.StoreForensics.Tests.Store.Interop;

/// <summary>
/// The data set and the assertions of the reference-client comparison: our store clients and js-waku's, run against
/// the same js store peer with the same filters, must hand out the same messages in the same order.
/// </summary>
internal static class JsWakuComparison
{
    public const string Shard0 = "/waku/2/rs/1/0";
    public const string Shard1 = "/waku/2/rs/1/1";
    public const string Chat = "/ref/1/chat/proto";
    public const string Status = "/ref/1/status/proto";
    public static readonly string[] BothTopics = [Chat, Status];

    /// <summary>One millisecond: js-waku takes query times as JavaScript Dates.</summary>
    public const long Ms = 1_000_000L;

    /// <summary>Our clients' options in a comparison: no retries, so the peer sees only the requests of the paging itself.</summary>
    public static readonly StoreClientOptions ClientOptions = new() { RequestTimeout = TimeSpan.FromSeconds(5), TotalTimeout = TimeSpan.FromSeconds(15), MaxRetries = 0 };

    /// <summary>The deadline of one of our queries in a comparison.</summary>
    public static CancellationToken Ct() => new CancellationTokenSource(TimeSpan.FromSeconds(15)).Token;

    /// <summary>The content topics a theory row names: "both", "chat" or "status".</summary>
    public static string[] Topics(string which) => which switch
    {
        "both" => BothTopics,
        "chat" => [Chat],
        _ => [Status],
    };

    /// <summary><paramref name="ms"/> milliseconds past <see cref="JsStorePeer.BaseTime"/> in nanoseconds, for our query.</summary>
    public static long? At(int? ms) => ms is null ? null : JsStorePeer.BaseTime + ms.Value * Ms;

    /// <summary><see cref="At"/> as the decimal string query.mjs takes.</summary>
    public static string? Ns(int? ms) => At(ms)?.ToString(CultureInfo.InvariantCulture);

    /// <summary>query.mjs's argument for a theory row's filter on <see cref="Shard0"/> (no page size: the sdk's default).</summary>
    public static object JsWakuFilter(string topics, int? fromMs, int? toMs, bool forward, int? pageSize) => new
    {
        pubsubTopic = Shard0,
        contentTopics = Topics(topics),
        timeStart = Ns(fromMs),
        timeEnd = Ns(toMs),
        direction = forward ? "forward" : "backward",
        pageSize,
    };

    /// <summary>
    /// 300 messages: two content topics, 9 in 10 on <see cref="Shard0"/> (the rest on <see cref="Shard1"/>, which a query
    /// on shard 0 must not return), pairs sharing a millisecond (ordered then by hash or digest), versions 0 and 1,
    /// some meta, some empty payloads, and one message with timestamp 0.
    /// </summary>
    public static List<ServedMessage> Messages()
    {
        var list = new List<ServedMessage>(300);
        for (int i = 0; i < 300; i++)
        {
            byte[] payload = i % 17 == 3 ? [] : Encoding.UTF8.GetBytes($"ref {i} " + new string('y', i % 50));
            long ts = i == 7 ? 0 : JsStorePeer.BaseTime + (i / 2) * Ms;
            byte[]? meta = i % 5 == 2 ? [(byte)i, 0xCD] : null;
            list.Add(new ServedMessage(i % 10 == 9 ? Shard1 : Shard0, i % 2 == 0 ? Chat : Status, payload, i % 3 == 0 ? 1u : 0u, ts, meta));
        }

        return list;
    }

    /// <summary>
    /// The hash js-waku prints for a message. js-waku's messageHash (@waku/core 0.0.40, @waku/message-hash 0.1.14 and
    /// 0.1.19) leaves the timestamp out when it is 0 (<c>if (!timestamp) return;</c>); nwaku and we always hash it as
    /// 8 big-endian bytes. Every other message must hash the same.
    /// </summary>
    public static string JsWakuHash(StoreMessage m)
    {
        if (m.Timestamp != 0)
        {
            return m.MessageHashHex;
        }

        var bytes = new List<byte>();
        bytes.AddRange(Encoding.UTF8.GetBytes(m.PubsubTopic!));
        bytes.AddRange(m.Payload);
        bytes.AddRange(Encoding.UTF8.GetBytes(m.ContentTopic));
        bytes.AddRange(m.Meta ?? []);
        return Convert.ToHexStringLower(SHA256.HashData(bytes.ToArray()));
    }

    /// <summary>Same messages in the same order, every field.</summary>
    public static void AssertSameMessages(IReadOnlyList<StoreMessage> ours, IReadOnlyList<JsWakuMessage> js)
    {
        Assert.Equal(ours.Select(JsWakuHash), js.Select(m => m.MessageHash));
        for (int i = 0; i < ours.Count; i++)
        {
            var o = ours[i];
            var j = js[i];
            Assert.True(o.HasData);
            Assert.Equal(o.PubsubTopic, j.PubsubTopic);
            Assert.Equal(o.ContentTopic, j.ContentTopic);
            Assert.Equal(o.Payload, j.Payload);
            Assert.Equal(o.Timestamp, j.Timestamp);
            Assert.Equal(o.Version, j.Version);
            Assert.Equal(o.Meta, j.Meta);
            Assert.False(j.Ephemeral);
        }
    }

    /// <summary>Same pages (same boundaries, same order of pages) holding the same messages; the summary agrees.</summary>
    public static void AssertSamePages(IReadOnlyList<StorePage> ours, JsWakuResult js)
    {
        Assert.All(ours, p => Assert.Empty(p.Rejected));
        Assert.Equal(ours.Count, js.Summary.Pages);
        Assert.Equal(
            ours.Select((p, i) => (Page: i + 1, p.Messages.Count)),
            js.Messages.GroupBy(m => m.Page!.Value).Select(g => (Page: g.Key, Count: g.Count())));
        var all = ours.SelectMany(p => p.Messages).ToList();
        AssertSameMessages(all, js.Messages);
        Assert.Equal(all.Count, js.Summary.Count);
        Assert.Equal(0, js.Summary.Undecoded);
        Assert.Equal(all.Sum(m => (long)m.Payload.Length), js.Summary.PayloadBytes);
    }

    /// <summary>The served messages a filter selects, for checking that a comparison is not between two empty answers.</summary>
    public static List<ServedMessage> Matching(IEnumerable<ServedMessage> served, string pubsubTopic, IReadOnlyList<string> contentTopics, long? from, long? to) =>
        served.Where(m => m.PubsubTopic == pubsubTopic && contentTopics.Contains(m.ContentTopic)
            && (from is null || m.Timestamp >= from) && (to is null || m.Timestamp <= to)).ToList();

    public static async Task<List<StorePage>> PagesAsync(IAsyncEnumerable<StorePage> pages)
    {
        var list = new List<StorePage>();
        await foreach (var page in pages)
        {
            list.Add(page);
        }

        return list;
    }
}
