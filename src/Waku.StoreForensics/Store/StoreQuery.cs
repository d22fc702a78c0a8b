namespace Waku.StoreForensics.Store;

/// <summary>
/// What to ask a store node for (store v3 <c>StoreQueryRequest</c>, shared/reference/nwaku-store-format.md §5.5).
/// Either filters (pubsub topic, content topics, time range) or a lookup by <see cref="MessageHashes"/>.
/// </summary>
public sealed record StoreQuery
{
    /// <summary>nwaku caps a page at 100 messages.</summary>
    public const int MaxPageSize = 100;

    /// <summary>nwaku rejects more than 10 content topics.</summary>
    public const int MaxContentTopics = 10;

    /// <summary>Only messages on this pubsub topic; null for any.</summary>
    public string? PubsubTopic { get; init; }

    /// <summary>Only messages on one of these content topics; empty for any.</summary>
    public IReadOnlyList<string> ContentTopics { get; init; } = [];

    /// <summary>Only messages with timestamp ≥ this (Unix nanoseconds); null for no lower bound.</summary>
    public long? TimeStart { get; init; }

    /// <summary>Only messages with timestamp ≤ this (Unix nanoseconds; nwaku is inclusive); null for no upper bound.</summary>
    public long? TimeEnd { get; init; }

    /// <summary>Look these message hashes up (32 bytes each) instead of filtering; empty for a filter query.</summary>
    public IReadOnlyList<byte[]> MessageHashes { get; init; } = [];

    /// <summary>True to receive whole messages; false for hashes only (<c>include_data = false</c>).</summary>
    public bool IncludeData { get; init; } = true;

    /// <summary>True to page from oldest to newest; false (the protocol's default) from newest to oldest.</summary>
    public bool Forward { get; init; } = true;

    /// <summary>Messages per page, 1–100.</summary>
    public int PageSize { get; init; } = 20;

    /// <summary>Throws <see cref="ArgumentException"/> for a query a node would reject or that cannot be paged.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(PageSize, 1, nameof(PageSize));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(PageSize, MaxPageSize, nameof(PageSize));
        ArgumentNullException.ThrowIfNull(ContentTopics);
        ArgumentNullException.ThrowIfNull(MessageHashes);
        if (ContentTopics.Count > MaxContentTopics)
        {
            throw new ArgumentException($"At most {MaxContentTopics} content topics per query (nwaku rejects more).", nameof(ContentTopics));
        }

        if (ContentTopics.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("A content topic is empty.", nameof(ContentTopics));
        }

        if (TimeStart is { } start && TimeEnd is { } end && start > end)
        {
            throw new ArgumentException($"TimeStart {start} is after TimeEnd {end}.", nameof(TimeStart));
        }

        if (MessageHashes.Any(h => h is null || h.Length != Schema.NwakuMessageKeys.KeyLength))
        {
            throw new ArgumentException($"Every message hash must be {Schema.NwakuMessageKeys.KeyLength} bytes.", nameof(MessageHashes));
        }

        if (MessageHashes.Count > 0 && (PubsubTopic is not null || ContentTopics.Count > 0 || TimeStart is not null || TimeEnd is not null))
        {
            throw new ArgumentException("A lookup by message hashes cannot be combined with topic or time filters (store v3).", nameof(MessageHashes));
        }
    }
}
