using System.Security.Cryptography;
using Google.Protobuf;
using NBitcoin.Secp256k1;
using NSec.Cryptography;
using SHA256 = System.Security.Cryptography.SHA256;
using Waku.StoreForensics.Net.Multiformats;
using Waku.StoreForensics.Net.Protos;
using PublicKey = Waku.StoreForensics.Net.Protos.PublicKey;

namespace Waku.StoreForensics.Net.Crypto;

/// <summary>
/// A libp2p identity: a private key (Ed25519 via NSec/libsodium, secp256k1 via NBitcoin.Secp256k1) and the
/// peer ID derived from its public key.
/// </summary>
public sealed class Identity : IDisposable
{
    private readonly Key? _ed25519;
    private readonly ECPrivKey? _secp256k1;

    private Identity(Key ed25519)
    {
        _ed25519 = ed25519;
        KeyType = KeyType.Ed25519;
        PublicKeyProtobuf = Encode(Protos.KeyType.Ed25519, ed25519.PublicKey.Export(KeyBlobFormat.RawPublicKey));
        PeerId = PeerId.FromPublicKey(PublicKeyProtobuf);
    }

    private Identity(ECPrivKey secp256k1)
    {
        _secp256k1 = secp256k1;
        KeyType = KeyType.Secp256k1;
        var pub = new byte[33];
        secp256k1.CreatePubKey().WriteToSpan(true, pub, out _);
        PublicKeyProtobuf = Encode(Protos.KeyType.Secp256K1, pub);
        PeerId = PeerId.FromPublicKey(PublicKeyProtobuf);
    }

    /// <summary>The key type.</summary>
    public KeyType KeyType { get; }

    /// <summary>The peer ID of this identity.</summary>
    public PeerId PeerId { get; }

    /// <summary>The deterministic PublicKey protobuf (peer-ids.md), as sent in Noise and identify.</summary>
    public byte[] PublicKeyProtobuf { get; }

    /// <summary>Creates a fresh Ed25519 identity.</summary>
    public static Identity CreateEd25519() =>
        new(Key.Create(SignatureAlgorithm.Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport }));

    /// <summary>Creates a fresh secp256k1 identity (the key type nwaku uses).</summary>
    public static Identity CreateSecp256k1()
    {
        Span<byte> secret = stackalloc byte[32];
        while (true)
        {
            RandomNumberGenerator.Fill(secret);
            if (ECPrivKey.TryCreate(secret, out var key) && key is not null)
            {
                secret.Clear();
                return new Identity(key);
            }
        }
    }

    /// <summary>Creates an identity from raw key material: a 32-byte Ed25519 seed or a 32-byte secp256k1 scalar
    /// (nwaku's <c>--nodekey</c> hex).</summary>
    public static Identity FromRawPrivateKey(KeyType type, ReadOnlySpan<byte> secret)
    {
        switch (type)
        {
            case KeyType.Ed25519 when secret.Length == 32:
                return new Identity(Key.Import(SignatureAlgorithm.Ed25519, secret, KeyBlobFormat.RawPrivateKey,
                    new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport }));
            case KeyType.Secp256k1 when secret.Length == 32:
                if (!ECPrivKey.TryCreate(secret, out var key) || key is null)
                {
                    throw new ArgumentException("Not a valid secp256k1 private key.", nameof(secret));
                }

                return new Identity(key);
            case KeyType.Ed25519 or KeyType.Secp256k1:
                throw new ArgumentException("Private keys are 32 bytes.", nameof(secret));
            default:
                throw new Libp2pException(Libp2pErrorReason.UnsupportedKeyType, $"Key type {type} is not supported.");
        }
    }

    /// <summary>Reads a libp2p PrivateKey protobuf (the format go/js/nim libp2p store on disk).</summary>
    public static Identity FromPrivateKeyProtobuf(ReadOnlySpan<byte> protobuf)
    {
        PrivateKey key;
        try
        {
            key = PrivateKey.Parser.ParseFrom(protobuf);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new FormatException("Malformed PrivateKey protobuf.", e);
        }

        return key.Type switch
        {
            // peer-ids.md: Ed25519 private Data is seed ‖ public key (64 bytes); older encodings append the public key twice.
            Protos.KeyType.Ed25519 when key.Data.Length is 64 or 96 => FromRawPrivateKey(KeyType.Ed25519, key.Data.Span[..32]),
            Protos.KeyType.Secp256K1 => FromRawPrivateKey(KeyType.Secp256k1, key.Data.Span),
            _ => throw new Libp2pException(Libp2pErrorReason.UnsupportedKeyType, $"Private key type {key.Type} (length {key.Data.Length}) is not supported."),
        };
    }

    /// <summary>Writes the libp2p PrivateKey protobuf.</summary>
    public byte[] ExportPrivateKeyProtobuf()
    {
        byte[] data;
        Protos.KeyType type;
        if (_ed25519 is not null)
        {
            type = Protos.KeyType.Ed25519;
            var seed = _ed25519.Export(KeyBlobFormat.RawPrivateKey);
            var pub = _ed25519.PublicKey.Export(KeyBlobFormat.RawPublicKey);
            data = [.. seed, .. pub];
        }
        else
        {
            type = Protos.KeyType.Secp256K1;
            data = new byte[32];
            _secp256k1!.WriteToSpan(data);
        }

        return new PrivateKey { Type = type, Data = ByteString.CopyFrom(data) }.ToByteArray();
    }

    /// <summary>Signs <paramref name="message"/> as peer-ids.md prescribes for the key type.</summary>
    internal byte[] Sign(ReadOnlySpan<byte> message)
    {
        if (_ed25519 is not null)
        {
            return SignatureAlgorithm.Ed25519.Sign(_ed25519, message);
        }

        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(message, digest);
        if (!_secp256k1!.TrySignECDSA(digest, out var sig) || sig is null)
        {
            throw new CryptographicException("secp256k1 signing failed.");
        }

        return sig.ToDER();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _ed25519?.Dispose();
        _secp256k1?.Dispose();
    }

    private static byte[] Encode(Protos.KeyType type, byte[] data) =>
        new PublicKey { Type = type, Data = ByteString.CopyFrom(data) }.ToByteArray();
}
