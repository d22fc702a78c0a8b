using System.Text;
using NBitcoin.Secp256k1;
using Org.BouncyCastle.Crypto.Digests;

namespace Waku.StoreForensics.Tests.PeerExchange;

/// <summary>Writes RLP and signs ENR v4 records in the test, independently of the decoder under test
/// (keccak from BouncyCastle, ECDSA from NBitcoin.Secp256k1 with RFC 6979 nonces).</summary>
internal static class EnrBuilder
{
    public static readonly byte[] SecretKey = Convert.FromHexString("b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291"); // EIP-778 example key

    public static byte[] String(ReadOnlySpan<byte> s)
    {
        if (s.Length == 1 && s[0] < 0x80)
        {
            return s.ToArray();
        }

        return [.. Header(0x80, s.Length), .. s];
    }

    public static byte[] String(string s) => String(Encoding.UTF8.GetBytes(s));

    public static byte[] List(params byte[][] items)
    {
        byte[] payload = items.SelectMany(i => i).ToArray();
        return [.. Header(0xc0, payload.Length), .. payload];
    }

    public static byte[] Header(int @base, int length)
    {
        if (length <= 55)
        {
            return [(byte)(@base + length)];
        }

        var bytes = new List<byte>();
        for (int l = length; l > 0; l >>= 8)
        {
            bytes.Insert(0, (byte)l);
        }

        return [(byte)(@base + 55 + bytes.Count), .. bytes];
    }

    public static byte[] Keccak(byte[] data)
    {
        var d = new KeccakDigest(256);
        d.BlockUpdate(data, 0, data.Length);
        var h = new byte[32];
        d.DoFinal(h, 0);
        return h;
    }

    public static byte[] PublicKey(byte[] secret)
    {
        var key = ECPrivKey.Create(secret);
        var pub = new byte[33];
        key.CreatePubKey().WriteToSpan(true, pub, out _);
        return pub;
    }

    /// <summary>Signs [seq, k, v, …] (items already RLP-encoded) and returns [sig, seq, k, v, …].</summary>
    public static byte[] Sign(byte[] secret, byte[] seq, params byte[][] pairs)
    {
        byte[] content = List([seq, .. pairs]);
        var key = ECPrivKey.Create(secret);
        Assert.True(key.TrySignECDSA(Keccak(content), out var sig));
        var compact = new byte[64];
        sig!.WriteCompactToSpan(compact);
        return List([String(compact), seq, .. pairs]);
    }

    /// <summary>A signed v4 record with the given extra (key, value) pairs merged in key order.</summary>
    public static byte[] Record(params (string Key, byte[] Value)[] extra)
    {
        var pairs = new List<(string Key, byte[] Value)> { ("id", String("v4")), ("secp256k1", String(PublicKey(SecretKey))) };
        pairs.AddRange(extra);
        var sorted = pairs.OrderBy(p => p.Key, StringComparer.Ordinal).SelectMany(p => new[] { String(p.Key), p.Value }).ToArray();
        return Sign(SecretKey, String([1]), sorted);
    }
}
