namespace Waku.StoreForensics.Store;

/// <summary>
/// The two wire encodings spoken under the one protocol ID <c>/vac/waku/store/2.0.0-beta3</c>
/// (shared/reference/nwaku-store-format.md §5.4). nwaku PR #676 (July 2021, released in v0.5) shifted the
/// HistoryResponse fields by one without changing the ID, so a client of one encoding reads the other's answers as
/// empty or garbled.
/// </summary>
public enum Beta3Encoding
{
    /// <summary>nwaku v0.3–v0.4 and js-waku 0.3.0: messages in HistoryResponse field 1, paging info in 2, no error
    /// field; the cursor Index is (digest, received time).</summary>
    Nwaku03To04,

    /// <summary>nwaku v0.5–v0.7 and js-waku 0.12.2: messages in HistoryResponse field 2, paging info in 3, error in 4
    /// (INVALID_CURSOR = 1); the cursor Index is (digest, receiver time, sender time).</summary>
    Nwaku05To07,
}

/// <summary>How the encoding of a beta3 query was settled.</summary>
public enum Beta3EncodingSource
{
    /// <summary>The caller chose it; responses in the other encoding fail with <see cref="StoreErrorKind.EncodingMismatch"/>.</summary>
    Pinned,

    /// <summary>Read from a response: it decoded with no unknown field and only well-formed messages in exactly this
    /// encoding.</summary>
    Detected,

    /// <summary>No response so far tells the encodings apart (every one read the same both ways, e.g. an empty
    /// page); <see cref="Beta3EncodingVerdict.Encoding"/> is null. What was received means the same in either.</summary>
    Undetermined,
}

/// <summary>Which beta3 encoding a query used, and on what grounds.</summary>
/// <param name="Encoding">The encoding; null when <see cref="Beta3EncodingSource.Undetermined"/>.</param>
/// <param name="Source">Pinned, detected or undetermined.</param>
/// <param name="DecidedOnPage">The page whose response settled a detected encoding; null otherwise.</param>
/// <param name="Explanation">One sentence for a report.</param>
public sealed record Beta3EncodingVerdict(Beta3Encoding? Encoding, Beta3EncodingSource Source, int? DecidedOnPage, string Explanation)
{
    /// <summary>The releases an encoding belongs to, as reports print it: <c>v0.3-v0.4</c> or <c>v0.5-v0.7</c>.</summary>
    public static string ReleaseRange(Beta3Encoding encoding) => encoding switch
    {
        Beta3Encoding.Nwaku03To04 => "v0.3-v0.4",
        Beta3Encoding.Nwaku05To07 => "v0.5-v0.7",
        _ => throw new ArgumentOutOfRangeException(nameof(encoding), encoding, null),
    };
}

/// <summary>One page of a beta3 query with the encoding verdict as it stood after that page.</summary>
/// <param name="Page">The validated page.</param>
/// <param name="Encoding">The encoding verdict.</param>
public sealed record Beta3Page(StorePage Page, Beta3EncodingVerdict Encoding);

/// <summary>A whole beta3 query.</summary>
/// <param name="Result">Messages, rejections, pages.</param>
/// <param name="Encoding">The encoding verdict after the last page.</param>
public sealed record Beta3QueryResult(StoreQueryResult Result, Beta3EncodingVerdict Encoding);
