namespace Waku.StoreForensics.Net;

/// <summary>Why a libp2p operation failed; stable enough to map to exit codes and report fields.</summary>
public enum Libp2pErrorReason
{
    /// <summary>The remote host refused the TCP connection.</summary>
    ConnectionRefused,

    /// <summary>A connect, handshake, negotiation or read deadline passed.</summary>
    Timeout,

    /// <summary>The Noise handshake failed (bad message, decryption failure, bad signature).</summary>
    NoiseHandshakeFailed,

    /// <summary>The remote proved a different peer ID than the one dialled.</summary>
    PeerIdMismatch,

    /// <summary>The two sides share no stream multiplexer.</summary>
    NoCommonMuxer,

    /// <summary>The remote answered <c>na</c> to every protocol proposed.</summary>
    ProtocolNotSupported,

    /// <summary>A frame or message exceeded its limit.</summary>
    MessageTooLarge,

    /// <summary>Bytes that do not parse as the protocol requires.</summary>
    MalformedMessage,

    /// <summary>The remote broke flow control or the stream state machine.</summary>
    ProtocolViolation,

    /// <summary>The remote reset the stream.</summary>
    StreamReset,

    /// <summary>The connection closed before the operation completed.</summary>
    ConnectionClosed,

    /// <summary>Too many streams are open on the connection.</summary>
    TooManyStreams,

    /// <summary>A multiaddress uses a protocol this library does not handle.</summary>
    UnsupportedMultiaddr,

    /// <summary>A key type this library does not handle (RSA, ECDSA).</summary>
    UnsupportedKeyType,

    /// <summary>The transport failed with an I/O error.</summary>
    TransportError,
}

/// <summary>
/// A libp2p operation failed because of the remote peer, the network or data on the wire; the
/// <see cref="Reason"/> says which, so callers can report it without parsing messages.
/// </summary>
public class Libp2pException : Exception
{
    /// <summary>Creates the exception with a reason and a message.</summary>
    public Libp2pException(Libp2pErrorReason reason, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Reason = reason;
    }

    /// <summary>What went wrong, as a machine-readable category.</summary>
    public Libp2pErrorReason Reason { get; }
}

/// <summary>A multiaddress names a protocol code this library does not handle.</summary>
public sealed class UnsupportedMultiaddrProtocolException : Libp2pException
{
    /// <summary>Creates the exception for <paramref name="protocol"/> (a name or a numeric code).</summary>
    public UnsupportedMultiaddrProtocolException(string protocol, long? code)
        : base(Libp2pErrorReason.UnsupportedMultiaddr,
            code is { } c
                ? $"Multiaddress protocol '{protocol}' (code 0x{c:x}) is not supported; supported: ip4, ip6, dns, dns4, dns6, tcp, ws, wss, p2p."
                : $"Multiaddress protocol '{protocol}' is not supported; supported: ip4, ip6, dns, dns4, dns6, tcp, ws, wss, p2p.")
    {
        Protocol = protocol;
        Code = code;
    }

    /// <summary>The protocol name as written, or the code in decimal when parsed from binary.</summary>
    public string Protocol { get; }

    /// <summary>The multicodec code when known.</summary>
    public long? Code { get; }
}
