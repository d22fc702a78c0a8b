using Waku.StoreForensics.Net;
using Waku.StoreForensics.Net.Multiformats;
using Waku.StoreForensics.Net.Multistream;

namespace Waku.StoreForensics.Tests.Net.Multistream;

public class MultistreamSelectTests
{
    private static readonly CancellationToken Ct = new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token;

    [Fact]
    public async Task Select_SecondProposalSupported_ListenerAnswersNaThenAccepts()
    {
        var (a, b) = DuplexPipe.Create();
        var listener = MultistreamSelect.ListenAsync(b, p => p == "/yamux/1.0.0", () => ["/yamux/1.0.0"], Ct);
        var chosen = await MultistreamSelect.SelectAsync(a, ["/mplex/6.7.0", "/yamux/1.0.0"], Ct);
        Assert.Equal("/yamux/1.0.0", chosen);
        Assert.Equal("/yamux/1.0.0", await listener);
    }

    [Fact]
    public async Task Select_NothingSupported_ProtocolNotSupported()
    {
        var (a, b) = DuplexPipe.Create();
        _ = MultistreamSelect.ListenAsync(b, _ => false, () => [], Ct);
        var e = await Assert.ThrowsAsync<Libp2pException>(() => MultistreamSelect.SelectAsync(a, ["/a", "/b"], Ct));
        Assert.Equal(Libp2pErrorReason.ProtocolNotSupported, e.Reason);
    }

    [Fact]
    public void Encode_SpecExample_VarintTextNewline()
    {
        // multistream-select README: "/multistream/1.0.0\n" is 19 bytes, so the message starts with 0x13.
        Assert.Equal("132f6d756c746973747265616d2f312e302e300a", Convert.ToHexStringLower(MultistreamSelect.Encode("/multistream/1.0.0")));
    }

    [Fact]
    public async Task Listen_Ls_ListsProtocols()
    {
        var (a, b) = DuplexPipe.Create();
        var listener = MultistreamSelect.ListenAsync(b, p => p == "/x", () => ["/x", "/y"], Ct);
        await MultistreamSelect.WriteMessagesAsync(a, ["/multistream/1.0.0", "ls"], Ct);
        Assert.Equal("/multistream/1.0.0", await MultistreamSelect.ReadMessageAsync(a, Ct));
        var listing = await MultistreamSelect.ReadMessageAsync(a, Ct);
        Assert.Equal("\u0003/x\n\u0003/y\n", listing);
        await MultistreamSelect.WriteMessagesAsync(a, ["/x"], Ct);
        Assert.Equal("/x", await MultistreamSelect.ReadMessageAsync(a, Ct));
        Assert.Equal("/x", await listener);
    }

    [Fact]
    public async Task Read_MessageOver64KiB_MessageTooLarge()
    {
        var (a, b) = DuplexPipe.Create();
        await a.WriteAsync(UVarint.Encode(64 * 1024 + 1), Ct);
        var e = await Assert.ThrowsAsync<Libp2pException>(() => MultistreamSelect.ReadMessageAsync(b, Ct));
        Assert.Equal(Libp2pErrorReason.MessageTooLarge, e.Reason);
    }

    [Fact]
    public async Task Read_MissingNewline_Malformed()
    {
        var (a, b) = DuplexPipe.Create();
        await a.WriteAsync(new byte[] { 2, (byte)'n', (byte)'a' }, Ct);
        var e = await Assert.ThrowsAsync<Libp2pException>(() => MultistreamSelect.ReadMessageAsync(b, Ct));
        Assert.Equal(Libp2pErrorReason.MalformedMessage, e.Reason);
    }

    [Fact]
    public async Task Select_WrongHeader_Malformed()
    {
        var (a, b) = DuplexPipe.Create();
        await b.WriteAsync(MultistreamSelect.Encode("/multistream/2.0.0"), Ct);
        var e = await Assert.ThrowsAsync<Libp2pException>(() => MultistreamSelect.SelectAsync(a, ["/x"], Ct));
        Assert.Equal(Libp2pErrorReason.MalformedMessage, e.Reason);
    }
}
