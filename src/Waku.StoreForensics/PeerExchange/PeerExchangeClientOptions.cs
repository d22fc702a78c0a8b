namespace Waku.StoreForensics.PeerExchange;

/// <summary>Limits a peer exchange client holds a remote node to.</summary>
public sealed record PeerExchangeClientOptions
{
    /// <summary>Largest response frame accepted, in bytes. Default: nwaku's own read limit, 10 × 150 KiB + 64 KiB
    /// (§6: ten maximum-size messages plus 64 KiB).</summary>
    public int MaxResponseBytes { get; init; } = (10 * 150 * 1024) + (64 * 1024);

    /// <summary>Time allowed for opening the stream, sending the query and reading the whole response.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for a limit that cannot work.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxResponseBytes, 64, nameof(MaxResponseBytes));
        if (RequestTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RequestTimeout), RequestTimeout, "Must be positive.");
        }
    }
}
