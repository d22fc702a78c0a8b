namespace Waku.StoreForensics.PeerExchange;

/// <summary>Peer exchange status codes (nwaku v0.33+, shared/reference/nwaku-store-format.md §6).</summary>
public enum PeerExchangeStatusCode
{
    /// <summary>200: the response carries peers.</summary>
    Success = 200,

    /// <summary>400: the node could not decode the request.</summary>
    BadRequest = 400,

    /// <summary>401: the node got a bad response (client side of nwaku).</summary>
    BadResponse = 401,

    /// <summary>429: rate limited.</summary>
    TooManyRequests = 429,

    /// <summary>503: the node's peer exchange is unavailable (e.g. no peers cached yet).</summary>
    ServiceUnavailable = 503,

    /// <summary>599: dial failure.</summary>
    DialFailure = 599,
}

/// <summary>Why a peer exchange request failed; stable enough for exit codes and report fields.</summary>
public enum PeerExchangeErrorKind
{
    /// <summary>The node answered with a status code other than 200 (see <see cref="PeerExchangeException.StatusCode"/>).</summary>
    RemoteStatus,

    /// <summary>The response does not decode as a <c>PeerExchangeRPC</c> or has no response part.</summary>
    MalformedResponse,

    /// <summary>The response frame exceeded <see cref="PeerExchangeClientOptions.MaxResponseBytes"/>.</summary>
    ResponseTooLarge,

    /// <summary>The request ran past <see cref="PeerExchangeClientOptions.RequestTimeout"/>.</summary>
    Timeout,

    /// <summary>The stream or connection broke.</summary>
    Transport,

    /// <summary>The node does not speak <c>/vac/waku/peer-exchange/2.0.0-alpha1</c>.</summary>
    ProtocolNotSupported,
}

/// <summary>A peer exchange request failed because of the remote node or the link to it.</summary>
public sealed class PeerExchangeException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PeerExchangeException(PeerExchangeErrorKind kind, string message, uint? statusCode = null, string? statusDescription = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
        StatusCode = statusCode;
        StatusDescription = statusDescription;
    }

    /// <summary>What went wrong.</summary>
    public PeerExchangeErrorKind Kind { get; }

    /// <summary>The node's status code when it sent one other than 200.</summary>
    public uint? StatusCode { get; }

    /// <summary>The node's status description when it sent one.</summary>
    public string? StatusDescription { get; }
}
