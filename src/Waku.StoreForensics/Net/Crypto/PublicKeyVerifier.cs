using System.Security.Cryptography;
using Google.Protobuf;
using NBitcoin.Secp256k1;
using NSec.Cryptography;
using SHA256 = System.Security.Cryptography.SHA256;
using Waku.StoreForensics.Net.Protos;
using PublicKey = Waku.StoreForensics.Net.Protos.PublicKey;

namespace Waku.StoreForensics.Net.Crypto;

/// <summary>Verifies signatures made by a peer's identity key given as a libp2p PublicKey protobuf.</summary>
internal static class PublicKeyVerifier
{
    /// <summary>Parses a PublicKey protobuf; throws <see cref="Libp2pException"/> on malformed or unsupported keys.</summary>
    public static PublicKey ParsePublicKey(ReadOnlySpan<byte> protobuf)
    {
        PublicKey key;
        try
        {
            key = PublicKey.Parser.ParseFrom(protobuf);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new Libp2pException(Libp2pErrorReason.MalformedMessage, "Malformed PublicKey protobuf.", e);
        }

        if (!key.HasType || !key.HasData)
        {
            throw new Libp2pException(Libp2pErrorReason.MalformedMessage, "PublicKey protobuf lacks Type or Data.");
        }

        return key;
    }

    /// <summary>
    /// True when the key's Data is a well-formed key of its Type (peer-ids.md "Keys"): a 32-byte Ed25519 key, a
    /// secp256k1 point on the curve, an RSA or ECDSA SubjectPublicKeyInfo. Otherwise <paramref name="problem"/> says why.
    /// </summary>
    public static bool IsWellFormed(PublicKey key, out string problem)
    {
        ReadOnlySpan<byte> data = key.Data.Span;
        problem = "";
        switch (key.Type)
        {
            case Protos.KeyType.Ed25519:
                if (data.Length != 32 || !NSec.Cryptography.PublicKey.TryImport(SignatureAlgorithm.Ed25519, data, KeyBlobFormat.RawPublicKey, out _))
                {
                    problem = $"Ed25519 key data of {data.Length} bytes is not a 32-byte public key";
                    return false;
                }

                return true;
            case Protos.KeyType.Secp256K1:
                if (!ECPubKey.TryCreate(data, Context.Instance, out _, out var point) || point is null)
                {
                    problem = $"secp256k1 key data of {data.Length} bytes is not a point on the curve";
                    return false;
                }

                return true;
            case Protos.KeyType.Rsa or Protos.KeyType.Ecdsa:
                try
                {
                    using AsymmetricAlgorithm algorithm = key.Type == Protos.KeyType.Rsa ? RSA.Create() : ECDsa.Create();
                    algorithm.ImportSubjectPublicKeyInfo(data, out int read);
                    if (read == data.Length)
                    {
                        return true;
                    }

                    problem = $"{key.Type} key data has {data.Length - read} bytes after its SubjectPublicKeyInfo";
                    return false;
                }
                catch (CryptographicException)
                {
                    problem = $"{key.Type} key data of {data.Length} bytes is not a DER SubjectPublicKeyInfo";
                    return false;
                }

            default:
                problem = $"key type {(int)key.Type} is not a libp2p key type (0 RSA, 1 Ed25519, 2 Secp256k1, 3 ECDSA)";
                return false;
        }
    }

    /// <summary>True when <paramref name="signature"/> is the key's signature over <paramref name="message"/>
    /// (peer-ids.md "How Keys are Encoded and Messages Signed").</summary>
    public static bool Verify(PublicKey key, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        switch (key.Type)
        {
            case Protos.KeyType.Ed25519:
            {
                // peer-ids.md: Ed25519 Data is the 32-byte public key; signatures are plain RFC 8032.
                if (!NSec.Cryptography.PublicKey.TryImport(SignatureAlgorithm.Ed25519, key.Data.Span, KeyBlobFormat.RawPublicKey, out var pub) || pub is null)
                {
                    return false;
                }

                return SignatureAlgorithm.Ed25519.Verify(pub, message, signature);
            }

            case Protos.KeyType.Secp256K1:
            {
                // peer-ids.md: secp256k1 Data is the Bitcoin-encoded point; signature is DER ECDSA over SHA-256.
                if (!ECPubKey.TryCreate(key.Data.Span, Context.Instance, out _, out var pub) || pub is null)
                {
                    return false;
                }

                if (!SecpECDSASignature.TryCreateFromDer(signature, out var sig) || sig is null)
                {
                    return false;
                }

                // libsecp256k1 only accepts low-S; other implementations may emit high-S, which is equally valid ECDSA.
                sig.TryNormalize(out var normalised);
                Span<byte> digest = stackalloc byte[32];
                SHA256.HashData(message, digest);
                return pub.SigVerify(normalised ?? sig, digest);
            }

            default:
                throw new Libp2pException(Libp2pErrorReason.UnsupportedKeyType, $"Key type {key.Type} is not supported.");
        }
    }
}
