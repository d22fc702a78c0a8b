using CsCheck;
using Waku.StoreForensics.Sqlite;

namespace Waku.StoreForensics.Tests.Sqlite;

public class VarintTests
{
    [Theory]
    [InlineData("00", 0L, 1)]
    [InlineData("7f", 127L, 1)]
    [InlineData("8100", 128L, 2)]
    [InlineData("ff7f", 16383L, 2)]
    [InlineData("818000", 16384L, 3)]
    [InlineData("ffffffffffffffffff", -1L, 9)]
    [InlineData("808080808080808001", 1L, 9)]
    public void TryRead_KnownEncodings_Decode(string hex, long expected, int expectedLength)
    {
        Assert.True(Varint.TryRead(Convert.FromHexString(hex), out long value, out int consumed));
        Assert.Equal(expected, value);
        Assert.Equal(expectedLength, consumed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("80")]
    [InlineData("ffffffffffffffff")]
    public void TryRead_Truncated_ReturnsFalse(string hex)
    {
        Assert.False(Varint.TryRead(Convert.FromHexString(hex), out _, out int consumed));
        Assert.Equal(0, consumed);
    }

    [Fact]
    public void WriteThenRead_AnyLong_RoundTrips()
    {
        FixedSample.Run(Gen.Long, v =>
        {
            Span<byte> buffer = stackalloc byte[Varint.MaxLength];
            int written = Varint.Write(buffer, v);
            Assert.Equal(Varint.GetLength(v), written);
            Assert.True(Varint.TryRead(buffer[..written], out long back, out int consumed));
            Assert.Equal(v, back);
            Assert.Equal(written, consumed);
        }, iter: 100, seed: "0N0XIzNsQ0O2");
    }
}
