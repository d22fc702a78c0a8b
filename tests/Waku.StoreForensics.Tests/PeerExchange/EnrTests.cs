using System.Net;
using CsCheck;
using Waku.StoreForensics.PeerExchange;
using static Waku.StoreForensics.Tests.PeerExchange.EnrBuilder;

namespace Waku.StoreForensics.Tests.PeerExchange;

public class EnrTests
{
    // EIP-778 "Test Vectors": the example record (private key b71c71a6…, ip 127.0.0.1, udp 30303, seq 1).
    private const string Eip778Example = "enr:-IS4QHCYrYZbAKWCBRlAy5zzaDZXJBGkcnh4MHcBFZntXNFrdvJjX04jRzjzCBOonrkTfj499SZuOh8R33Ls8RRcy5wBgmlkgnY0gmlwhH8AAAGJc2VjcDI1NmsxoQPKY0yuDUmstAHYpMa2_oxVtw0RW_QAdpzBQA8yWM0xOIN1ZHCCdl8";

    // Made and signed by @waku/enr 0.0.33 (tests/interop/js-peer-exchange/px-peer.mjs, record 0): ip 10.0.0.1,
    // tcp 60000, multiaddrs [/dns4/node-0.example.org/tcp/443/wss, /dns4/node-0.example.org/tcp/8000/ws], waku2 7, seq 5.
    private const string WakuEnr = "enr:-M24QFjgGSygz-wO20ZiHI2D3MlQIH3nENZ-5gHgkr2ZfWwGY3hSbMlVRbB0nMcc1YhAPpH1RqqmP9zbhQrblN0tRyAFgmlkgnY0gmlwhAoAAAGKbXVsdGlhZGRyc7YAGTYSbm9kZS0wLmV4YW1wbGUub3JnBgG73gMAGTYSbm9kZS0wLmV4YW1wbGUub3JnBh9A3QOJc2VjcDI1NmsxoQL6ntxPoNLyS7wWHd6q404-kUi9SU9uArKP-SsZBOi0QYN0Y3CC6mCFd2FrdTIH";

    // The same generator's record 1 with one signature bit flipped; @waku/enr's own decoder rejects it.
    private const string WakuEnrTampered = "enr:-Ki4QDyeb-ihyonORK2EHvC9umLniKyK-m-Uka47XbSmJK9iMvDRFMYtbUViJU0O3H9no1jCZ4ho2j6SDvTOfdQo1l4GgmlkgnY0gmlwhAoAAQKDaXA2kP0AAAAAAAAAAAAAAAAAAAKJc2VjcDI1NmsxoQOO5LyRuGyooFgvyPmDQ-zdBN3U2xY0W2Zlckk7ma2kyoN0Y3CC6mGEdGNwNoLuSYV3YWt1MgE";

    [Fact]
    public void Parse_Eip778Example_VerifiesAndReadsFields()
    {
        var enr = Enr.Parse(Eip778Example);

        Assert.Equal(1UL, enr.Sequence);
        Assert.Equal("03ca634cae0d49acb401d8a4c6b6fe8c55b70d115bf400769cc1400f3258cd3138", Convert.ToHexStringLower(enr.PublicKey));
        Assert.Equal(IPAddress.Parse("127.0.0.1"), enr.Ip4);
        Assert.Null(enr.Tcp);
        Assert.Equal(["id", "ip", "secp256k1", "udp"], enr.Keys);
        Assert.Empty(enr.ListenAddresses); // udp only: nothing libp2p can dial
        Assert.Equal(Eip778Example, enr.ToString());
        Assert.Equal("0802122103ca634cae0d49acb401d8a4c6b6fe8c55b70d115bf400769cc1400f3258cd3138", Convert.ToHexStringLower(enr.PublicKeyProtobuf));
        Assert.StartsWith("16Uiu2HA", enr.PeerId.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_WakuEnrFromJsWaku_ReadsMultiaddrsAndCapabilities()
    {
        var enr = Enr.Parse(WakuEnr);

        Assert.Equal(5UL, enr.Sequence);
        Assert.Equal("16Uiu2HAmCHzQF5PowsfPijxajdu5Da5p1JvkodyC5hn6822tGLtY", enr.PeerId.ToString());
        Assert.Equal(WakuCapabilities.Relay | WakuCapabilities.Store | WakuCapabilities.Filter, enr.Waku2);
        Assert.Equal(
            ["/ip4/10.0.0.1/tcp/60000", "/dns4/node-0.example.org/tcp/443/wss", "/dns4/node-0.example.org/tcp/8000/ws"],
            enr.ListenAddresses.Select(a => a.ToString()));
        Assert.Equal(
            "/ip4/10.0.0.1/tcp/60000/p2p/16Uiu2HAmCHzQF5PowsfPijxajdu5Da5p1JvkodyC5hn6822tGLtY",
            enr.DialAddresses[0].ToString());
    }

    [Fact]
    public void Parse_TamperedWakuEnr_SignatureMismatch()
    {
        var e = Assert.Throws<EnrFormatException>(() => Enr.Parse(WakuEnrTampered));
        Assert.Equal(EnrErrorKind.SignatureMismatch, e.Kind);
    }

    [Fact]
    public void Decode_RecordBuiltHere_RoundTripsWithEveryField()
    {
        byte[] record = Record(
            ("ip", String([192, 168, 1, 2])),
            ("tcp", String([0xea, 0x60])),
            ("ip6", String(IPAddress.Parse("fd00::7").GetAddressBytes())),
            ("tcp6", String([0x01, 0xbb])),
            ("waku2", String([0x03])),
            ("multiaddrs", String([0x00, 0x08, 0x04, 10, 0, 0, 1, 0x06, 0x1f, 0x40])));

        var enr = Enr.Decode(record);

        Assert.Equal(["/ip4/192.168.1.2/tcp/60000", "/ip6/fd00::7/tcp/443", "/ip4/10.0.0.1/tcp/8000"], enr.ListenAddresses.Select(a => a.ToString()));
        Assert.Equal(WakuCapabilities.Relay | WakuCapabilities.Store, enr.Waku2);
        Assert.Equal(record, enr.Record.ToArray());
    }

    public static TheoryData<string, EnrErrorKind> MalformedText => new()
    {
        { "enx:-IS4QHCY", EnrErrorKind.TextInvalid },
        { "enr:!!!!", EnrErrorKind.TextInvalid },
        { "enr:AAA=", EnrErrorKind.TextInvalid },
        { "enr:A", EnrErrorKind.TextInvalid },
    };

    [Theory]
    [MemberData(nameof(MalformedText))]
    public void Parse_MalformedText_TypedError(string text, EnrErrorKind kind) =>
        Assert.Equal(kind, Assert.Throws<EnrFormatException>(() => Enr.Parse(text)).Kind);

    public static TheoryData<string, byte[], EnrErrorKind> MalformedRecords()
    {
        byte[] good = Record();
        var key = String(PublicKey(SecretKey));
        byte[] sig64 = String(new byte[64]);
        return new TheoryData<string, byte[], EnrErrorKind>
        {
            { "empty", [], EnrErrorKind.RecordTooLarge },
            { "301 bytes", [0xb9, 0x01, 0x2a, .. new byte[298]], EnrErrorKind.RecordTooLarge },
            { "list claims more than the input", [0xc5, 0x80, 0x80], EnrErrorKind.RlpLengthExceedsInput },
            { "string claims more than its list", [0xc3, 0x85, 0x01, 0x02], EnrErrorKind.RlpLengthExceedsInput },
            { "long string length past the input", [0xb8, 0xff, 0x01], EnrErrorKind.RlpLengthExceedsInput },
            { "length of length cut short", [0xf9, 0x01], EnrErrorKind.RlpLengthExceedsInput },
            { "long form for a short list", [0xf8, 0x02, 0x80, 0x80], EnrErrorKind.RlpNonCanonical },
            { "single byte behind a header", [0xc2, 0x81, 0x05], EnrErrorKind.RlpNonCanonical },
            { "length with a leading zero", [0xf9, 0x00, 0x38, .. new byte[56]], EnrErrorKind.RlpNonCanonical },
            { "trailing byte", [.. good, 0x00], EnrErrorKind.RlpTrailingBytes },
            { "nested 9 deep", [0xc8, 0xc7, 0xc6, 0xc5, 0xc4, 0xc3, 0xc2, 0xc1, 0xc0], EnrErrorKind.RlpTooDeep },
            { "a string, not a list", [0x83, 0x61, 0x62, 0x63], EnrErrorKind.NotAList },
            { "signature only", List(sig64), EnrErrorKind.NotAList },
            { "key without value", List(sig64, String([1]), String("id")), EnrErrorKind.KeyValueCountOdd },
            { "keys out of order", List(sig64, String([1]), String("secp256k1"), key, String("id"), String("v4")), EnrErrorKind.KeysNotSorted },
            { "key is a list", List(sig64, String([1]), List(String("id")), String("v4")), EnrErrorKind.KeysNotSorted },
            { "key twice", List(sig64, String([1]), String("id"), String("v4"), String("id"), String("v4")), EnrErrorKind.DuplicateKey },
            { "sequence of 9 bytes", List(sig64, String(new byte[9]), String("id"), String("v4")), EnrErrorKind.SequenceInvalid },
            { "no id", List(sig64, String([1]), String("secp256k1"), key), EnrErrorKind.IdentitySchemeMissing },
            { "id v5", List(sig64, String([1]), String("id"), String("v5"), String("secp256k1"), key), EnrErrorKind.IdentitySchemeUnsupported },
            { "no key", List(sig64, String([1]), String("id"), String("v4")), EnrErrorKind.PublicKeyMissing },
            { "key not on the curve", List(sig64, String([1]), String("id"), String("v4"), String("secp256k1"), String([0x02, .. Enumerable.Repeat((byte)0xff, 32)])), EnrErrorKind.PublicKeyInvalid },
            { "uncompressed key", List(sig64, String([1]), String("id"), String("v4"), String("secp256k1"), String(new byte[65])), EnrErrorKind.PublicKeyInvalid },
            { "signature of 63 bytes", List(String(new byte[63]), String([1]), String("id"), String("v4"), String("secp256k1"), key), EnrErrorKind.SignatureMalformed },
            { "signature r, s above the order", List(String(Enumerable.Repeat((byte)0xff, 64).ToArray()), String([1]), String("id"), String("v4"), String("secp256k1"), key), EnrErrorKind.SignatureMalformed },
            { "sequence changed after signing", WithSequence(good, 2), EnrErrorKind.SignatureMismatch },
            { "ip of 3 bytes", Record(("ip", String([1, 2, 3]))), EnrErrorKind.FieldInvalid },
            { "ip6 of 4 bytes", Record(("ip6", String([1, 2, 3, 4]))), EnrErrorKind.FieldInvalid },
            { "tcp port 0", Record(("tcp", String([0]))), EnrErrorKind.FieldInvalid },
            { "tcp of 3 bytes", Record(("tcp", String([1, 2, 3]))), EnrErrorKind.FieldInvalid },
            { "tcp is a list", Record(("tcp", List(String([1])))), EnrErrorKind.FieldInvalid },
            { "waku2 of 2 bytes", Record(("waku2", String([1, 2]))), EnrErrorKind.FieldInvalid },
            { "multiaddrs entry longer than the value", Record(("multiaddrs", String([0x00, 0x09, 0x04, 10, 0, 0, 1, 0x06, 0x1f, 0x40]))), EnrErrorKind.FieldInvalid },
            { "multiaddrs length prefix cut", Record(("multiaddrs", String([0x00, 0x08, 0x04, 10, 0, 0, 1, 0x06, 0x1f, 0x40, 0x00]))), EnrErrorKind.FieldInvalid },
            { "multiaddrs entry garbled", Record(("multiaddrs", String([0x00, 0x03, 0x04, 10, 0]))), EnrErrorKind.FieldInvalid },
        };
    }

    [Theory]
    [MemberData(nameof(MalformedRecords))]
    public void Decode_MalformedRecord_TypedError(string name, byte[] record, EnrErrorKind kind)
    {
        Assert.False(Enr.TryDecode(record, out var enr, out var error), name);
        Assert.Null(enr);
        Assert.Equal(kind, error!.Kind);
        Assert.Equal(kind, Assert.Throws<EnrFormatException>(() => Enr.Decode(record)).Kind);
    }

    [Fact]
    public void Decode_SequenceWithLeadingZero_AcceptedAsJsWakuWritesIt()
    {
        // @waku/enr writes the sequence number as one raw byte: 0 becomes 0x00, not the canonical 0x80.
        var enr = Enr.Decode(Sign(SecretKey, [0x00], String("id"), String("v4"), String("secp256k1"), String(PublicKey(SecretKey))));
        Assert.Equal(0UL, enr.Sequence);
    }

    [Fact]
    public void Decode_HighSSignature_Accepted()
    {
        // The same ECDSA signature with s replaced by n − s: libsecp256k1 verifies low-s only, we normalise first.
        byte[] low = Record();
        byte[] high = (byte[])low.Clone();
        var n = System.Numerics.BigInteger.Parse("0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", System.Globalization.NumberStyles.HexNumber);
        int sOffset = 2 + 2 + 32; // list header (0xf8 len), string header (0xb8 0x40), r
        var s = new System.Numerics.BigInteger(high.AsSpan(sOffset, 32), isUnsigned: true, isBigEndian: true);
        high.AsSpan(sOffset, 32).Clear();
        (n - s).ToByteArray(isUnsigned: true, isBigEndian: true).CopyTo(high.AsSpan(sOffset + 32 - (n - s).GetByteCount(isUnsigned: true)));
        Assert.NotEqual(low, high);
        Assert.Equal(0xb8, high[2]);

        Assert.Equal(Enr.Decode(low).PeerId, Enr.Decode(high).PeerId);
    }

    [Fact]
    public void TryDecode_RandomBytes_NeverThrows()
    {
        FixedSample.Run(Gen.Byte.Array[0, 320], bytes =>
        {
            bool ok = Enr.TryDecode(bytes, out var enr, out var error);
            Assert.True(ok ? enr is not null && error is null : enr is null && error is not null);
        }, iter: 20_000, seed: FuzzSeed);
    }

    [Fact]
    public void TryDecode_ValidRecordWithRandomDamage_NeverThrowsNeverAcceptsAlteredSignedBytes()
    {
        byte[] good = Enr.Parse(WakuEnr).Record.ToArray();
        FixedSample.Run(Gen.Select(Gen.Int[0, good.Length - 1].Array[1, 4], Gen.Byte.Array[4], Gen.Int[-3, 3]), (offsets, values, resize) =>
        {
            var bytes = (byte[])good.Clone();
            for (int i = 0; i < offsets.Length; i++)
            {
                bytes[offsets[i]] = values[i];
            }

            bytes = resize >= 0 ? [.. bytes, .. new byte[resize]] : bytes[..(bytes.Length + resize)];
            if (Enr.TryDecode(bytes, out var enr, out _))
            {
                // Only a change the signature does not cover can survive: none exists in a canonical record.
                Assert.Equal(good, enr!.Record.ToArray());
            }
        }, iter: 20_000, seed: FuzzSeed);
    }

    private const string FuzzSeed = "0000000000000";

    private static byte[] WithSequence(byte[] record, byte seq)
    {
        // [sig(0xb840 + 64), seq, …] inside a long list header of 2 bytes: seq sits at 2 + 66.
        var copy = (byte[])record.Clone();
        Assert.Equal(0x01, copy[68]);
        copy[68] = seq;
        return copy;
    }
}
