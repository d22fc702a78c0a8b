using Waku.StoreForensics.Net;
using Waku.StoreForensics.Store;
using Waku.StoreForensics.Validation;

namespace Waku.StoreForensics.Reseed;

/// <summary>What <see cref="StoreReseeder"/> asks the peers for and how it may write.</summary>
public sealed record ReseedOptions
{
    /// <summary>Only messages on this pubsub topic; null for all (the legacy store needs one).</summary>
    public string? PubsubTopic { get; init; }

    /// <summary>Only messages on these content topics; empty for all.</summary>
    public IReadOnlyList<string> ContentTopics { get; init; } = [];

    /// <summary>Only messages with timestamp ≥ this (Unix nanoseconds).</summary>
    public long? TimeStart { get; init; }

    /// <summary>Only messages with timestamp ≤ this (Unix nanoseconds, inclusive as nwaku is).</summary>
    public long? TimeEnd { get; init; }

    /// <summary>Compute and report the difference, write nothing.</summary>
    public bool DryRun { get; init; }

    /// <summary>Write even when a scan finds the database damaged or a non-empty <c>-wal</c> sits beside it (a running
    /// node; the rows added are still validated). Never overrides a hot <c>-journal</c>.</summary>
    public bool Force { get; init; }

    /// <summary>Messages per page, 1–100; each page of fetched messages is inserted in its own transaction.</summary>
    public int PageSize { get; init; } = StoreQuery.MaxPageSize;

    /// <summary>Limits, timeouts and retries of every store query.</summary>
    public StoreClientOptions Client { get; init; } = new();

    /// <summary>
    /// How this tool appears to the peers (identity, timeouts, the cluster and shards it answers on metadata);
    /// null for a fresh secp256k1 identity and the defaults of <see cref="Libp2pHostOptions"/>.
    /// </summary>
    public Libp2pHostOptions? Host { get; init; }

    /// <summary>Settings of the row validator every new row passes before it is written.</summary>
    public RowValidationOptions Validation { get; init; } = new();

    /// <summary>How long a write waits for a running node's lock on the database.</summary>
    public TimeSpan BusyTimeout { get; init; } = TimeSpan.FromSeconds(30);

    internal StoreQuery Filter(bool includeData) => new()
    {
        PubsubTopic = PubsubTopic,
        ContentTopics = ContentTopics,
        TimeStart = TimeStart,
        TimeEnd = TimeEnd,
        IncludeData = includeData,
        Forward = true,
        PageSize = PageSize,
    };

    internal void Validate()
    {
        Filter(includeData: true).Validate();
        Client.Validate();
    }
}
