using System.Security.Cryptography;
using Waku.StoreForensics.Net.Crypto;

namespace Waku.StoreForensics.Net.Multiformats;

/// <summary>
/// A libp2p peer ID: the multihash of the peer's PublicKey protobuf — identity multihash when the protobuf
/// is at most 42 bytes (Ed25519, secp256k1), sha2-256 otherwise (peer-ids.md "Peer Ids").
/// </summary>
public sealed class PeerId : IEquatable<PeerId>
{
    private const int IdentityCode = 0x00;
    private const int Sha256Code = 0x12;
    private const int LibP2pKeyCodec = 0x72;
    private const int MaxInlineKeyLength = 42;

    private readonly byte[] _bytes;

    private PeerId(byte[] bytes)
    {
        _bytes = bytes;
    }

    /// <summary>The multihash bytes.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>True when the public key is inlined (identity multihash).</summary>
    public bool IsIdentityMultihash => _bytes[0] == IdentityCode;

    /// <summary>Derives the peer ID of a PublicKey protobuf.</summary>
    public static PeerId FromPublicKey(ReadOnlySpan<byte> publicKeyProtobuf)
    {
        if (publicKeyProtobuf.Length <= MaxInlineKeyLength)
        {
            var id = new byte[2 + publicKeyProtobuf.Length];
            id[0] = IdentityCode;
            id[1] = (byte)publicKeyProtobuf.Length;
            publicKeyProtobuf.CopyTo(id.AsSpan(2));
            return new PeerId(id);
        }

        var hashed = new byte[34];
        hashed[0] = Sha256Code;
        hashed[1] = 32;
        SHA256.HashData(publicKeyProtobuf, hashed.AsSpan(2));
        return new PeerId(hashed);
    }

    /// <summary>Reads a peer ID from its multihash bytes; throws <see cref="FormatException"/> when they are not one.</summary>
    public static PeerId FromBytes(ReadOnlySpan<byte> multihash)
    {
        if (!TryFromBytes(multihash, out var id))
        {
            throw new FormatException("Not a peer ID multihash (identity ≤ 42 bytes or sha2-256).");
        }

        return id!;
    }

    /// <summary>Reads a peer ID from multihash bytes without throwing.</summary>
    public static bool TryFromBytes(ReadOnlySpan<byte> multihash, out PeerId? id)
    {
        id = null;
        if (!UVarint.TryRead(multihash, out ulong code, out int n) ||
            !UVarint.TryRead(multihash[n..], out ulong length, out int m))
        {
            return false;
        }

        int headerLength = n + m;
        bool ok = code switch
        {
            IdentityCode => length <= MaxInlineKeyLength && length > 0,
            Sha256Code => length == 32,
            _ => false,
        };
        if (!ok || (ulong)(multihash.Length - headerLength) != length)
        {
            return false;
        }

        id = new PeerId(multihash.ToArray());
        return true;
    }

    /// <summary>Parses base58btc (<c>Qm…</c>, <c>12D3Koo…</c>, <c>16Uiu2…</c>) or a CIDv1 in base32 (<c>bafz…</c>).</summary>
    public static PeerId Parse(string text)
    {
        if (!TryParse(text, out var id))
        {
            throw new FormatException($"'{text}' is not a peer ID.");
        }

        return id!;
    }

    /// <summary>Parses without throwing.</summary>
    public static bool TryParse(string? text, out PeerId? id)
    {
        id = null;
        if (string.IsNullOrEmpty(text) || text.Length > 200)
        {
            return false;
        }

        if (text[0] is 'Q' or '1')
        {
            return Base58.TryDecode(text, out var mh) && TryFromBytes(mh, out id);
        }

        // peer-ids.md "String representations": CIDv1 with the libp2p-key codec in any multibase; we read base32 ('b').
        if (text[0] == 'b' && Base32.TryDecode(text[1..], out var cid) &&
            UVarint.TryRead(cid, out ulong version, out int n) && version == 1 &&
            UVarint.TryRead(cid.AsSpan(n), out ulong codec, out int m) && codec == LibP2pKeyCodec)
        {
            return TryFromBytes(cid.AsSpan(n + m), out id);
        }

        return false;
    }

    /// <summary>The PublicKey protobuf inlined in an identity multihash, or null for hashed IDs.</summary>
    public byte[]? TryGetInlinePublicKey() => IsIdentityMultihash ? _bytes[2..] : null;

    /// <summary>The key type inlined in the ID, when it is an identity multihash.</summary>
    public KeyType? InlineKeyType =>
        TryGetInlinePublicKey() is { } key && key.Length >= 2 && key[0] == 0x08 ? (KeyType)key[1] : null;

    /// <summary>The CIDv1 text form: multibase base32 of (version 1, codec libp2p-key 0x72, multihash).</summary>
    public string ToCidString() => "b" + Base32.Encode([0x01, LibP2pKeyCodec, .. _bytes]);

    /// <summary>The base58btc text form, the legacy and most widely understood one.</summary>
    public override string ToString() => Base58.Encode(_bytes);

    /// <inheritdoc />
    public bool Equals(PeerId? other) => other is not null && _bytes.AsSpan().SequenceEqual(other._bytes);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as PeerId);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(_bytes);
        return hash.ToHashCode();
    }
}
