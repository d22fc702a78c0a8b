using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Waku.StoreForensics.Net.Noise;

/// <summary>Noise spec §5.1 CipherState with ChaChaPoly: 96-bit nonce = 32 zero bits ‖ 64-bit little-endian counter.</summary>
internal sealed class CipherState : IDisposable
{
    public const int TagLength = 16;

    private ChaCha20Poly1305? _aead;
    private ulong _nonce;

    public bool HasKey => _aead is not null;

    public void InitializeKey(ReadOnlySpan<byte> key)
    {
        _aead?.Dispose();
        _aead = new ChaCha20Poly1305(key);
        _nonce = 0;
    }

    /// <summary>Writes ciphertext ‖ tag to <paramref name="destination"/> (or the plaintext when no key is set yet).</summary>
    public int EncryptWithAd(ReadOnlySpan<byte> ad, ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        if (_aead is null)
        {
            plaintext.CopyTo(destination);
            return plaintext.Length;
        }

        Span<byte> nonce = stackalloc byte[12];
        NextNonce(nonce);
        _aead.Encrypt(nonce, plaintext, destination[..plaintext.Length], destination.Slice(plaintext.Length, TagLength), ad);
        return plaintext.Length + TagLength;
    }

    /// <summary>Decrypts ciphertext ‖ tag; throws <see cref="Libp2pException"/> when authentication fails.</summary>
    public int DecryptWithAd(ReadOnlySpan<byte> ad, ReadOnlySpan<byte> ciphertext, Span<byte> destination)
    {
        if (_aead is null)
        {
            ciphertext.CopyTo(destination);
            return ciphertext.Length;
        }

        if (ciphertext.Length < TagLength)
        {
            throw new Libp2pException(Libp2pErrorReason.MalformedMessage, "Noise ciphertext shorter than its tag.");
        }

        int length = ciphertext.Length - TagLength;
        Span<byte> nonce = stackalloc byte[12];
        NextNonce(nonce);
        try
        {
            _aead.Decrypt(nonce, ciphertext[..length], ciphertext[length..], destination[..length], ad);
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw new Libp2pException(Libp2pErrorReason.NoiseHandshakeFailed, "Noise message failed authentication.", e);
        }

        return length;
    }

    public void Dispose() => _aead?.Dispose();

    private void NextNonce(Span<byte> nonce)
    {
        // Noise §5.1: n = 2^64-1 is reserved; a session never gets near it, but refuse rather than reuse a nonce.
        if (_nonce == ulong.MaxValue)
        {
            throw new Libp2pException(Libp2pErrorReason.ProtocolViolation, "Noise nonce exhausted.");
        }

        nonce[..4].Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(nonce[4..], _nonce++);
    }
}
