using System.Security.Cryptography;
using System.Text;

namespace Waku.StoreForensics.Net.Noise;

/// <summary>Noise spec §5.2 SymmetricState for SHA-256 (HASHLEN 32) with HKDF as §4.3 defines it.</summary>
internal sealed class SymmetricState : IDisposable
{
    public const string ProtocolName = "Noise_XX_25519_ChaChaPoly_SHA256";

    private readonly byte[] _ck = new byte[32];
    private readonly byte[] _h = new byte[32];

    public SymmetricState()
    {
        // §5.2 InitializeSymmetric: the name is exactly 32 bytes, so h = name without hashing.
        byte[] name = Encoding.ASCII.GetBytes(ProtocolName);
        name.CopyTo(_h, 0);
        name.CopyTo(_ck, 0);
    }

    public CipherState Cipher { get; } = new();

    public ReadOnlySpan<byte> HandshakeHash => _h;

    public void MixHash(ReadOnlySpan<byte> data)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(_h);
        sha.AppendData(data);
        sha.GetHashAndReset(_h);
    }

    public void MixKey(ReadOnlySpan<byte> inputKeyMaterial)
    {
        Span<byte> output = stackalloc byte[64];
        Hkdf(_ck, inputKeyMaterial, output);
        output[..32].CopyTo(_ck);
        Cipher.InitializeKey(output[32..]);
        output.Clear();
    }

    public byte[] EncryptAndHash(ReadOnlySpan<byte> plaintext)
    {
        var ciphertext = new byte[plaintext.Length + (Cipher.HasKey ? CipherState.TagLength : 0)];
        Cipher.EncryptWithAd(_h, plaintext, ciphertext);
        MixHash(ciphertext);
        return ciphertext;
    }

    public byte[] DecryptAndHash(ReadOnlySpan<byte> ciphertext)
    {
        var plaintext = new byte[Math.Max(0, ciphertext.Length - (Cipher.HasKey ? CipherState.TagLength : 0))];
        Cipher.DecryptWithAd(_h, ciphertext, plaintext);
        MixHash(ciphertext);
        return plaintext;
    }

    /// <summary>§5.2 Split: two CipherStates, the first for initiator→responder traffic.</summary>
    public (CipherState InitiatorToResponder, CipherState ResponderToInitiator) Split()
    {
        Span<byte> output = stackalloc byte[64];
        Hkdf(_ck, [], output);
        var first = new CipherState();
        first.InitializeKey(output[..32]);
        var second = new CipherState();
        second.InitializeKey(output[32..]);
        output.Clear();
        return (first, second);
    }

    public void Dispose()
    {
        Cipher.Dispose();
        CryptographicOperations.ZeroMemory(_ck);
    }

    /// <summary>Noise §4.3 HKDF with two outputs, written with HMAC-SHA256 exactly as the spec defines it
    /// (OpenSSL's HKDF refuses the empty input key material that Split uses).</summary>
    private static void Hkdf(ReadOnlySpan<byte> chainingKey, ReadOnlySpan<byte> inputKeyMaterial, Span<byte> output)
    {
        Span<byte> tempKey = stackalloc byte[32];
        Span<byte> block = stackalloc byte[33];
        HMACSHA256.HashData(chainingKey, inputKeyMaterial, tempKey);
        block[0] = 0x01;
        HMACSHA256.HashData(tempKey, block[..1], output[..32]);
        output[..32].CopyTo(block);
        block[32] = 0x02;
        HMACSHA256.HashData(tempKey, block, output[32..64]);
        tempKey.Clear();
        block.Clear();
    }
}
