using CsCheck;
using Waku.StoreForensics.Net;
using Waku.StoreForensics.Net.Multiformats;

namespace Waku.StoreForensics.Tests.Net.Multiformats;

public class MultiaddressTests
{
    // Binary forms computed by @multiformats/multiaddr 12.5.1 (js), an implementation nobody here wrote.
    [Theory]
    [InlineData("/ip4/127.0.0.1/tcp/60000", "047f00000106ea60")]
    [InlineData("/ip6/::1/tcp/4001/ws", "2900000000000000000000000000000001060fa1dd03")]
    [InlineData("/dns4/node-01.do-ams3.waku.sandbox.status.im/tcp/30303/p2p/16Uiu2HAmNaeL4p3WEYzC9mgXBmBWSgWjPHRvatZTXnp8Jgv3iKsb",
        "36266e6f64652d30312e646f2d616d73332e77616b752e73616e64626f782e7374617475732e696d06765fa50327002508021221039377e879a30c23f9cc7bc6b99bbd0294f0257716899f76f72fd4c05cfbaed3e6")]
    [InlineData("/dns6/example.com/tcp/443/wss", "370b6578616d706c652e636f6d0601bbde03")]
    [InlineData("/dns/example.com/tcp/8000", "350b6578616d706c652e636f6d061f40")]
    [InlineData("/ip4/1.2.3.4/tcp/80/p2p/12D3KooWQXa4AdCEZWe9QwoHnrANyMAXirozBdroNHkkvTMhT8bf",
        "0401020304060050a50326002408011220da91decf6f4c769327ca8ff03986e66fcfe6c59dca63d68c5ee359e52f8dc6e6")]
    public void TextAndBinary_JsVectors_RoundTrip(string text, string hex)
    {
        var parsed = Multiaddress.Parse(text);
        Assert.Equal(hex, Convert.ToHexStringLower(parsed.ToBytes()));
        var decoded = Multiaddress.FromBytes(Convert.FromHexString(hex));
        Assert.Equal(text, decoded.ToString());
        Assert.Equal(parsed, decoded);
    }

    [Fact]
    public void Parse_IpfsAlias_BecomesP2p()
    {
        var a = Multiaddress.Parse("/ip4/1.2.3.4/tcp/80/ipfs/12D3KooWQXa4AdCEZWe9QwoHnrANyMAXirozBdroNHkkvTMhT8bf");
        Assert.Equal("/ip4/1.2.3.4/tcp/80/p2p/12D3KooWQXa4AdCEZWe9QwoHnrANyMAXirozBdroNHkkvTMhT8bf", a.ToString());
        Assert.Equal("12D3KooWQXa4AdCEZWe9QwoHnrANyMAXirozBdroNHkkvTMhT8bf", a.PeerId!.ToString());
    }

    [Theory]
    [InlineData("/udp/1234", "udp")]
    [InlineData("/ip4/1.2.3.4/udp/1/quic-v1", "udp")]
    [InlineData("/ip4/1.2.3.4/tcp/1/tls", "tls")]
    public void Parse_UnsupportedProtocol_NamesIt(string text, string name)
    {
        var e = Assert.Throws<UnsupportedMultiaddrProtocolException>(() => Multiaddress.Parse(text));
        Assert.Equal(name, e.Protocol);
        Assert.Equal(Libp2pErrorReason.UnsupportedMultiaddr, e.Reason);
    }

    [Fact]
    public void FromBytes_UnsupportedCode_NamesTheCode()
    {
        // /ip4/1.2.3.4/udp/1234: udp is code 273 (0x0111 → varint 91 02).
        var e = Assert.Throws<UnsupportedMultiaddrProtocolException>(() => Multiaddress.FromBytes(Convert.FromHexString("0401020304910204d2")));
        Assert.Equal(273, e.Code);
        Assert.Contains("0x111", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("ip4/1.2.3.4")]
    [InlineData("/ip4/1.2.3")]
    [InlineData("/ip4/::1")]
    [InlineData("/ip6/1.2.3.4")]
    [InlineData("/tcp/65536")]
    [InlineData("/tcp/-1")]
    [InlineData("/ip4")]
    [InlineData("/p2p/notapeerid")]
    public void Parse_Malformed_ThrowsFormatException(string text) =>
        Assert.Throws<FormatException>(() => Multiaddress.Parse(text));

    [Theory]
    [InlineData("04")]
    [InlineData("047f0000")]
    [InlineData("0601")]
    [InlineData("3520616263")]
    [InlineData("a50305aabbccddee")]
    [InlineData("80")]
    public void FromBytes_Truncated_ThrowsFormatException(string hex) =>
        Assert.Throws<FormatException>(() => Multiaddress.FromBytes(Convert.FromHexString(hex)));

    [Fact]
    public void TryGetTcpEndpoint_Ip4Tcp_ReturnsHostAndPort()
    {
        Assert.True(Multiaddress.Parse("/ip4/10.0.0.1/tcp/60000/p2p/12D3KooWQXa4AdCEZWe9QwoHnrANyMAXirozBdroNHkkvTMhT8bf").TryGetTcpEndpoint(out var host, out int port, out _));
        Assert.Equal(("10.0.0.1", 60000), (host, port));
        Assert.False(Multiaddress.Parse("/ip4/10.0.0.1/tcp/8000/ws").TryGetTcpEndpoint(out _, out _, out _));
    }

    [Fact]
    public void FromBytes_RandomBytes_NeverThrowsAnythingButTypedErrors()
    {
        FixedSample.Run(Gen.Byte.Array[0, 64], bytes =>
        {
            try
            {
                var a = Multiaddress.FromBytes(bytes);
                Assert.Equal(a, Multiaddress.Parse(a.ToString()));
            }
            catch (FormatException)
            {
            }
            catch (Libp2pException)
            {
            }
        }, iter: 100, seed: "0N0XIzNsQ0O2");
    }
}
