using System.Text;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math;
using Waku.StoreForensics.Net.Crypto;

namespace Waku.StoreForensics.Tests.Net.Crypto;

public class SignatureTests
{
    private static readonly byte[] Hello = Encoding.UTF8.GetBytes("hello");

    [Fact]
    public void Ed25519_Sign_MatchesJsSignature()
    {
        // RFC 8032 signatures are deterministic; @libp2p/crypto signed "hello" with seed 01…01.
        using var id = Identity.FromRawPrivateKey(KeyType.Ed25519, Enumerable.Repeat((byte)1, 32).ToArray());
        Assert.Equal("e1430c6ebd0d53573b5c803452174f8991ef5955e0906a09e8fdc7310459e9c82a402526748c3431fe7f0e5faafbf7e703234789734063ee42be17af16438d08",
            Convert.ToHexStringLower(id.Sign(Hello)));
    }

    [Fact]
    public void Secp256k1_JsSignature_Verifies()
    {
        var key = PublicKeyVerifier.ParsePublicKey(Convert.FromHexString("08021221030947751e3022ecf3016be03ec77ab0ce3c2662b4843898cb068d74f698ccc8ad"));
        var sig = Convert.FromHexString("3045022100d9534283576fc05a2c2b96dbbf61f247f2e92fd6f60bf24676f007cbe37f76e802205be0616f977c44b41a5ae6a0bdc8af48431d17d296d610b859683c70032f93cb");
        Assert.True(PublicKeyVerifier.Verify(key, Hello, sig));
        Assert.False(PublicKeyVerifier.Verify(key, Encoding.UTF8.GetBytes("hellO"), sig));
    }

    [Theory]
    [InlineData(KeyType.Ed25519)]
    [InlineData(KeyType.Secp256k1)]
    public void SignThenVerify_TamperedSignature_Fails(KeyType type)
    {
        using var id = type == KeyType.Ed25519 ? Identity.CreateEd25519() : Identity.CreateSecp256k1();
        var key = PublicKeyVerifier.ParsePublicKey(id.PublicKeyProtobuf);
        var sig = id.Sign(Hello);
        Assert.True(PublicKeyVerifier.Verify(key, Hello, sig));
        sig[^1] ^= 1;
        Assert.False(PublicKeyVerifier.Verify(key, Hello, sig));
    }

    [Fact]
    public void Secp256k1_HighSSignature_IsNormalisedAndAccepted()
    {
        using var id = Identity.CreateSecp256k1();
        var key = PublicKeyVerifier.ParsePublicKey(id.PublicKeyProtobuf);
        var der = (Asn1Sequence)Asn1Object.FromByteArray(id.Sign(Hello));
        var r = ((DerInteger)der[0]).Value;
        var s = ((DerInteger)der[1]).Value;
        var n = SecNamedCurves.GetByName("secp256k1").N;
        var highS = n.Subtract(s);
        Assert.True(highS.CompareTo(n.ShiftRight(1)) > 0);
        var highDer = new DerSequence(new DerInteger(r), new DerInteger(highS)).GetEncoded();

        // BouncyCastle (independent) agrees the high-S form is a valid ECDSA signature…
        var curve = SecNamedCurves.GetByName("secp256k1");
        var domain = new ECDomainParameters(curve.Curve, curve.G, curve.N, curve.H);
        var point = curve.Curve.DecodePoint(Convert.FromHexString(Convert.ToHexString(id.PublicKeyProtobuf[4..])));
        var verifier = new ECDsaSigner();
        verifier.Init(false, new ECPublicKeyParameters(point, domain));
        Assert.True(verifier.VerifySignature(System.Security.Cryptography.SHA256.HashData(Hello), r, highS));

        // …and so do we, although libsecp256k1 alone would reject it.
        Assert.True(PublicKeyVerifier.Verify(key, Hello, highDer));
        Assert.False(PublicKeyVerifier.Verify(key, Hello, new DerSequence(new DerInteger(r), new DerInteger(highS.Add(BigInteger.One))).GetEncoded()));
    }
}
