namespace Waku.StoreForensics.Store;

/// <summary>Store v3 status codes (waku-org/specs store.md; shared/reference/nwaku-store-format.md §5.5).</summary>
public enum StoreStatusCode
{
    /// <summary>0: the node did not say.</summary>
    Unknown = 0,

    /// <summary>200: the query succeeded.</summary>
    Success = 200,

    /// <summary>300: the node got a bad response from a peer it relayed the query to.</summary>
    BadResponse = 300,

    /// <summary>400: the node rejected the request (bad cursor, too many content topics, missing fields).</summary>
    BadRequest = 400,

    /// <summary>429: rate limited.</summary>
    TooManyRequests = 429,

    /// <summary>503: the node's store is unavailable.</summary>
    ServiceUnavailable = 503,

    /// <summary>504: the node could not dial the peer it relays to.</summary>
    PeerDialFailure = 504,
}

/// <summary>Why a store query failed; stable enough for exit codes and report fields.</summary>
public enum StoreErrorKind
{
    /// <summary>The node answered with a status code other than 200 (see <see cref="StoreException.StatusCode"/>).</summary>
    RemoteStatus,

    /// <summary>The response does not decode, or lacks fields the protocol requires, or is inconsistent
    /// (wrong request ID, bad cursor).</summary>
    MalformedResponse,

    /// <summary>A response frame exceeded <see cref="StoreClientOptions.MaxResponseBytes"/>.</summary>
    ResponseTooLarge,

    /// <summary>A request or the whole query ran past its timeout.</summary>
    Timeout,

    /// <summary>The stream or connection broke (reset, closed early, I/O error).</summary>
    Transport,

    /// <summary>The node does not speak the store protocol version asked for.</summary>
    ProtocolNotSupported,

    /// <summary>Pagination went on past <see cref="StoreClientOptions.MaxPages"/> or
    /// <see cref="StoreClientOptions.MaxMessages"/>, or the node repeated a cursor.</summary>
    PaginationLimit,

    /// <summary>Legacy store beta3: the response is in the other of its two encodings than the one pinned
    /// (see <see cref="Beta3Encoding"/>), or changed encoding mid-query.</summary>
    EncodingMismatch,

    /// <summary>Legacy store beta3: the response reads validly, and differently, in both encodings, so which one the
    /// node speaks cannot be told from it; pin one (see <see cref="Beta3Encoding"/>).</summary>
    EncodingAmbiguous,
}

/// <summary>
/// A store query failed because of the remote node or the link to it. <see cref="Kind"/> says which;
/// <see cref="StatusCode"/> holds the node's own code when it answered with one. When the failure came after
/// some pages were received, <see cref="Partial"/> holds what was received and validated until then.
/// </summary>
public sealed class StoreException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StoreException(StoreErrorKind kind, string message, uint? statusCode = null, string? statusDescription = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
        StatusCode = statusCode;
        StatusDescription = statusDescription;
    }

    /// <summary>What went wrong.</summary>
    public StoreErrorKind Kind { get; }

    /// <summary>The node's status code (store v3 <c>status_code</c>, legacy <c>error</c>) when it sent one.</summary>
    public uint? StatusCode { get; }

    /// <summary>The node's status description when it sent one.</summary>
    public string? StatusDescription { get; }

    /// <summary>Pages received and validated before the failure, when the failure came mid-pagination.</summary>
    public StoreQueryResult? Partial { get; private init; }

    internal StoreException WithPartial(StoreQueryResult partial) =>
        new(Kind, Message, StatusCode, StatusDescription, InnerException) { Partial = partial };
}
