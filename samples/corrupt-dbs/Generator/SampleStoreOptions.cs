using Waku.StoreForensics.Schema;

namespace Waku.StoreForensics.SampleGenerator;

/// <summary>What to generate. Equal options give byte-identical databases.</summary>
public sealed record SampleStoreOptions
{
    /// <summary>Seed of every random choice.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Message-table layout; decides the era of topics, times, peers and files too.</summary>
    public MessageSchemaId Layout { get; init; } = MessageSchemaId.S10;

    /// <summary>Number of messages; ignored when <see cref="TargetPayloadBytes"/> is set.</summary>
    public int MessageCount { get; init; } = 200;

    /// <summary>When set, messages are generated until their payloads add up to this many bytes (benchmarks).</summary>
    public long? TargetPayloadBytes { get; init; }

    /// <summary>Share of messages with a 5–60 KB payload (images, files). Any record over 1002 bytes already overflows.</summary>
    public double LargePayloadShare { get; init; } = 0.04;

    /// <summary>Number of peers written to the Peer table (0 for none).</summary>
    public int PeerCount { get; init; } = 12;

    /// <summary>Time of the first message; null for a date typical of the layout's releases.</summary>
    public DateTimeOffset? Start { get; init; }

    /// <summary>SQLite page cache while writing, MiB (connection setting only; the file is the same).</summary>
    public int CacheMebibytes { get; init; } = 64;

    /// <summary>Whether the manifest lists every row (off for multi-GB benchmark files).</summary>
    public bool ListRowsInManifest { get; init; } = true;
}
