using System.Text;
using Google.Protobuf;
using Waku.StoreForensics.Schema;

namespace Waku.StoreForensics.SampleGenerator;

/// <summary>
/// A deterministic stream of messages as a node of the layout's era received them: its topics, payload kinds
/// and time behaviour.
/// </summary>
internal sealed class SyntheticMessages
{
    // Topics seen on the 2021 status.im test/prod fleets and in nwaku's examples (v0.4 era: named pubsub topic).
    private static readonly string[] NamedEraContentTopics =
    [
        "/toy-chat/2/huilong/proto", "/toy-chat/2/huilong/proto", "/toy-chat/2/huilong/proto",
        "/waku/1/0x6e7572bd/rfc26", "/waku/1/0xf8946aac/rfc26", "/examples/1/radio/proto",
    ];

    // Static-sharding era (v0.23+): The Waku Network (cluster 1) and Status (cluster 16) shards, RFC 23 topics
    // with and without the autosharding generation prefix.
    private static readonly string[] ShardedPubsubTopics =
    [
        "/waku/2/rs/1/0", "/waku/2/rs/1/1", "/waku/2/rs/1/4", "/waku/2/rs/1/7", "/waku/2/rs/16/32", "/waku/2/rs/16/64",
    ];

    private static readonly string[] ShardedEraContentTopics =
    [
        "/toy-chat/2/huilong/proto", "/0/toy-chat/2/huilong/proto", "/waku/1/0x6e7572bd/rfc26", "/status/1/chat/proto",
        "/js-waku-examples/1/chat/proto", "/waku/2/default-content/proto", "/1/railgun/1/fees/json",
    ];

    private static readonly string[] Nicks = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"];

    private readonly Random _random;
    private readonly SampleStoreOptions _options;
    private readonly HashSet<string> _shortPayloadKeys = [];

    public SyntheticMessages(SampleStoreOptions options)
    {
        _options = options;
        _random = new Random(options.Seed);
    }

    /// <summary>A date on which nodes of the layout's releases ran (from nwaku's tag dates).</summary>
    public static DateTimeOffset TypicalStart(MessageSchemaId layout) => layout switch
    {
        MessageSchemaId.S0 => new(2020, 12, 10, 9, 0, 0, TimeSpan.Zero),
        MessageSchemaId.S1 => new(2021, 7, 5, 9, 0, 0, TimeSpan.Zero),
        MessageSchemaId.S2 => new(2021, 10, 4, 9, 0, 0, TimeSpan.Zero),
        MessageSchemaId.S3 or MessageSchemaId.S4 => new(2022, 5, 2, 9, 0, 0, TimeSpan.Zero),
        MessageSchemaId.S6 or MessageSchemaId.S7 => new(2023, 6, 5, 9, 0, 0, TimeSpan.Zero),
        MessageSchemaId.S8 => new(2024, 3, 4, 9, 0, 0, TimeSpan.Zero),
        MessageSchemaId.S9 => new(2024, 11, 4, 9, 0, 0, TimeSpan.Zero),
        _ => new(2025, 9, 1, 9, 0, 0, TimeSpan.Zero),
    };

    public IEnumerable<StoredMessage> Generate()
    {
        MessageSchemaId layout = _options.Layout;
        bool sharded = layout >= MessageSchemaId.S8;
        long clock = ((_options.Start ?? TypicalStart(layout)).ToUnixTimeMilliseconds() * 1_000_000) + _random.NextInt64(0, 1_000_000_000);
        long payloadBytes = 0;
        for (int i = 0; ; i++)
        {
            if (_options.TargetPayloadBytes is { } target ? payloadBytes >= target : i >= _options.MessageCount)
            {
                yield break;
            }

            // Poisson-like arrivals: 0.05–30 s apart.
            clock += (long)(-Math.Log(1 - _random.NextDouble()) * 4e9) + 50_000_000;
            string pubsub = sharded ? Pick(ShardedPubsubTopics) : "/waku/2/default-waku/proto";
            string content = layout == MessageSchemaId.S0 ? _random.Next(1, 9).ToString(System.Globalization.CultureInfo.InvariantCulture)
                : Pick(sharded ? ShardedEraContentTopics : NamedEraContentTopics);

            long sent = clock - _random.NextInt64(5_000_000, 900_000_000); // sender clock, before receipt
            bool isChat = content.Contains("toy-chat", StringComparison.Ordinal) || content.Contains("/chat/", StringComparison.Ordinal);
            byte[] payload = NextPayload(i, isChat, sent);
            uint version = content.EndsWith("rfc26", StringComparison.Ordinal) ? 1u : 0u;

            long timestamp = layout switch
            {
                <= MessageSchemaId.S1 => 0, // v0.4 chat2 sent 0.0 and the archive kept no sender time
                >= MessageSchemaId.S10 => sent, // the v0.31+ archive rejects 0
                _ => _random.NextDouble() < 0.01 ? 0 : sent, // v0.5–v0.30 accepted messages without timestamp
            };
            long receivedAt = layout is MessageSchemaId.S4 or MessageSchemaId.S3
                ? clock / 1_000_000_000 * 1_000_000_000 // v0.9–v0.15: whole seconds × 1e9
                : clock;
            byte[]? meta = layout >= MessageSchemaId.S9 && _random.NextDouble() < 0.15 ? RandomBytes(_random.Next(8, 65)) : null;

            if (payload.Length < 16 && !_shortPayloadKeys.Add(content + Convert.ToHexString(payload)))
            {
                // nwaku's plain INSERT would fail on the duplicate digest; such a message is simply not stored.
                continue;
            }

            payloadBytes += payload.Length;
            yield return new StoredMessage(pubsub, content, payload, version, timestamp, meta, receivedAt);
        }
    }

    private byte[] NextPayload(int sequence, bool isChat, long sentNs)
    {
        if (_random.NextDouble() < _options.LargePayloadShare)
        {
            return RandomBytes(_random.Next(5 * 1024, 60 * 1024 + 1)); // images, files: overflow pages
        }

        if (isChat)
        {
            // chat2's Chat2Message { uint64 timestamp = 1; string nick = 2; bytes payload = 3 } (v0.4 examples/v2/chat2).
            var chat = new MemoryStream();
            var output = new CodedOutputStream(chat);
            output.WriteTag(1, WireFormat.WireType.Varint);
            output.WriteUInt64((ulong)(sentNs / 1_000_000_000));
            output.WriteTag(2, WireFormat.WireType.LengthDelimited);
            output.WriteString(Pick(Nicks));
            output.WriteTag(3, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(ByteString.CopyFromUtf8(ChatLine(sequence)));
            output.Flush();
            return chat.ToArray();
        }

        return RandomBytes(_random.Next(0, 2049)); // encrypted application payloads, 0–2 KB
    }

    private string ChatLine(int sequence)
    {
        string[] words = ["hello", "waku", "store", "node", "relay", "is", "anyone", "here", "gm", "history", "works", "again"];
        var line = new StringBuilder();
        int count = _random.Next(1, 40);
        for (int w = 0; w < count; w++)
        {
            line.Append(Pick(words)).Append(' ');
        }

        return line.Append('#').Append(sequence).ToString();
    }

    private byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        _random.NextBytes(bytes);
        return bytes;
    }

    private T Pick<T>(T[] items) => items[_random.Next(items.Length)];
}
