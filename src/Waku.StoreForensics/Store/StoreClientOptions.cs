namespace Waku.StoreForensics.Store;

/// <summary>Limits a store client holds a remote node to. Every bound exists because a hostile or broken node
/// could otherwise hold memory or time without end.</summary>
public sealed record StoreClientOptions
{
    /// <summary>Largest response frame accepted, in bytes. Default 16 MiB: nwaku v0.24–v0.29 capped responses at
    /// 100 × 150 KiB + 64 KiB (≈ 14.7 MiB), the largest page a default node can produce.</summary>
    public int MaxResponseBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>Most pages one query may fetch before it stops with <see cref="StoreErrorKind.PaginationLimit"/>.</summary>
    public int MaxPages { get; init; } = 100_000;

    /// <summary>Most messages (valid and rejected) one query may collect before it stops with
    /// <see cref="StoreErrorKind.PaginationLimit"/>. Duplicate detection keeps about 50 bytes per valid message.</summary>
    public long MaxMessages { get; init; } = 10_000_000;

    /// <summary>Time allowed for one request: opening the stream, sending, and reading the whole response.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Time allowed for a whole paginated query; <see cref="Timeout.InfiniteTimeSpan"/> for none.</summary>
    public TimeSpan TotalTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Times a page request is repeated (same cursor, new request ID) after a per-request timeout, a broken
    /// stream, or status 429/503/504; 0 for none.</summary>
    public int MaxRetries { get; init; } = 2;

    /// <summary>Wait before the first retry; doubled for each further one (at most one minute).</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for a limit that cannot work.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxResponseBytes, 64, nameof(MaxResponseBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPages, 1, nameof(MaxPages));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxMessages, 1, nameof(MaxMessages));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxRetries, nameof(MaxRetries));
        if (RetryDelay < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RetryDelay), RetryDelay, "Must not be negative.");
        }
        if (RequestTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RequestTimeout), RequestTimeout, "Must be positive.");
        }

        if (TotalTimeout <= TimeSpan.Zero && TotalTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(TotalTimeout), TotalTimeout, "Must be positive or infinite.");
        }
    }
}
