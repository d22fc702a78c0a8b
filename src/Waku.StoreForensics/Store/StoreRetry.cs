namespace Waku.StoreForensics.Store;

/// <summary>Retries one page request on failures that a later attempt can cure, with exponential backoff.</summary>
internal static class StoreRetry
{
    /// <summary>A per-request timeout, a broken stream, or a node saying it is busy (429, 503) or could not dial (504).
    /// A malformed or oversize answer, or a refusal of the request itself, would only repeat.</summary>
    public static bool IsTransient(StoreException e) => e.Kind switch
    {
        StoreErrorKind.Timeout or StoreErrorKind.Transport => true,
        StoreErrorKind.RemoteStatus => e.StatusCode is (uint)StoreStatusCode.TooManyRequests or (uint)StoreStatusCode.ServiceUnavailable or (uint)StoreStatusCode.PeerDialFailure,
        _ => false,
    };

    public static async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> attempt, StoreClientOptions options, CancellationToken cancellationToken)
    {
        for (int n = 0; ; n++)
        {
            try
            {
                return await attempt(cancellationToken).ConfigureAwait(false);
            }
            catch (StoreException e) when (n < options.MaxRetries && IsTransient(e))
            {
                var delay = TimeSpan.FromTicks(Math.Min(options.RetryDelay.Ticks * (1L << Math.Min(n, 16)), TimeSpan.FromMinutes(1).Ticks));
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
