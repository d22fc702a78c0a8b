namespace Waku.StoreForensics.Store;

/// <summary>
/// The bounds every paginated store query (v3, beta4, beta3) holds a node to, from <see cref="StoreClientOptions"/>:
/// pages, messages and total time; each page is fetched with <see cref="StoreRetry"/> inside them.
/// </summary>
internal sealed class PaginationBudget : IDisposable
{
    private readonly StoreClientOptions _options;
    private readonly CancellationToken _caller;
    private readonly CancellationTokenSource _total;
    private long _messages;

    public PaginationBudget(StoreClientOptions options, CancellationToken caller)
    {
        _options = options;
        _caller = caller;
        _total = CancellationTokenSource.CreateLinkedTokenSource(caller);
        if (options.TotalTimeout != Timeout.InfiniteTimeSpan)
        {
            _total.CancelAfter(options.TotalTimeout);
        }
    }

    /// <summary>Fetches page <paramref name="number"/> (1-based) with retries.</summary>
    /// <exception cref="StoreException"><see cref="StoreErrorKind.PaginationLimit"/> past MaxPages,
    /// <see cref="StoreErrorKind.Timeout"/> past TotalTimeout, or what the last attempt threw.</exception>
    public async Task<T> FetchAsync<T>(int number, Func<CancellationToken, Task<T>> attempt)
    {
        if (number > _options.MaxPages)
        {
            throw new StoreException(StoreErrorKind.PaginationLimit, $"The node still had a next page after {_options.MaxPages} pages (MaxPages).");
        }

        try
        {
            return await StoreRetry.RunAsync(attempt, _options, _total.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!_caller.IsCancellationRequested && _total.IsCancellationRequested)
        {
            throw new StoreException(StoreErrorKind.Timeout, $"The query did not finish within {_options.TotalTimeout} (TotalTimeout); {number - 1} page(s) received.", innerException: e);
        }
    }

    /// <summary>Counts the entries of a page, valid or not.</summary>
    /// <exception cref="StoreException"><see cref="StoreErrorKind.PaginationLimit"/> past MaxMessages.</exception>
    public void Count(int entries)
    {
        _messages += entries;
        if (_messages > _options.MaxMessages)
        {
            throw new StoreException(StoreErrorKind.PaginationLimit, $"The node sent more than {_options.MaxMessages} messages (MaxMessages).");
        }
    }

    public void Dispose() => _total.Dispose();
}
