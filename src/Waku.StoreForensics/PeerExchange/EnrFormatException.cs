namespace Waku.StoreForensics.PeerExchange;

/// <summary>Why bytes are not a valid ENR; one value per class of malformed input.</summary>
public enum EnrErrorKind
{
    /// <summary>The text form does not start with <c>enr:</c> or is not unpadded base64url.</summary>
    TextInvalid,

    /// <summary>The record is empty or longer than the 300 bytes EIP-778 allows.</summary>
    RecordTooLarge,

    /// <summary>An RLP header declares more bytes than its input, or than the list enclosing it, holds.</summary>
    RlpLengthExceedsInput,

    /// <summary>An RLP length is not in its shortest form (long form for ≤ 55 bytes, leading zero length byte,
    /// a single byte below 0x80 behind a header).</summary>
    RlpNonCanonical,

    /// <summary>Bytes follow the record's top-level list.</summary>
    RlpTrailingBytes,

    /// <summary>Lists are nested deeper than the decoder allows.</summary>
    RlpTooDeep,

    /// <summary>The record is not an RLP list, or lacks the signature and sequence number.</summary>
    NotAList,

    /// <summary>The list after the signature and sequence number does not hold key/value pairs.</summary>
    KeyValueCountOdd,

    /// <summary>A key is a list, or the keys are not in strictly ascending byte order.</summary>
    KeysNotSorted,

    /// <summary>A key appears twice.</summary>
    DuplicateKey,

    /// <summary>The sequence number is a list or longer than 8 bytes.</summary>
    SequenceInvalid,

    /// <summary>The record has no <c>id</c> key.</summary>
    IdentitySchemeMissing,

    /// <summary>The identity scheme is not <c>v4</c>, the only one defined.</summary>
    IdentitySchemeUnsupported,

    /// <summary>A v4 record without a <c>secp256k1</c> key.</summary>
    PublicKeyMissing,

    /// <summary>The <c>secp256k1</c> value is not a 33-byte compressed point on the curve.</summary>
    PublicKeyInvalid,

    /// <summary>The signature is not 64 bytes r ‖ s with r and s below the group order.</summary>
    SignatureMalformed,

    /// <summary>The signature does not verify against the record's public key: the record was altered or forged.</summary>
    SignatureMismatch,

    /// <summary>A well-known field (<c>ip</c>, <c>tcp</c>, <c>ip6</c>, <c>tcp6</c>, <c>multiaddrs</c>, <c>waku2</c>) has
    /// the wrong shape.</summary>
    FieldInvalid,
}

/// <summary>Bytes or text that are not a valid, correctly signed ENR (EIP-778, identity scheme v4).</summary>
public sealed class EnrFormatException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public EnrFormatException(EnrErrorKind kind, string message, int? offset = null)
        : base(message)
    {
        Kind = kind;
        Offset = offset;
    }

    /// <summary>The class of malformed input.</summary>
    public EnrErrorKind Kind { get; }

    /// <summary>Byte offset in the record where decoding stopped, when known.</summary>
    public int? Offset { get; }
}
