using System.Net;
using System.Net.Sockets;
using Waku.StoreForensics.Net;
using Waku.StoreForensics.Net.Crypto;
using Waku.StoreForensics.Net.Metadata;
using Waku.StoreForensics.Net.Multiformats;
using Waku.StoreForensics.Net.Muxing.Mplex;
using Waku.StoreForensics.Net.Muxing.Yamux;
using Waku.StoreForensics.Net.Protos;

namespace Waku.StoreForensics.Tests.Net;

/// <summary>Two of our hosts over loopback TCP.</summary>
public class HostTests
{
    private static CancellationToken Ct => new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token;

    private static Libp2pHost NewHost(Func<Libp2pHostOptions, Libp2pHostOptions>? configure = null)
    {
        var options = new Libp2pHostOptions(Identity.CreateSecp256k1());
        return new Libp2pHost(configure is null ? options : configure(options));
    }

    [Theory]
    [InlineData(true, true, true)]
    [InlineData(true, false, false)]
    [InlineData(false, true, false)]
    public async Task Dial_EarlyOrMultistreamMuxer_NeverBoth(bool dialerEarly, bool listenerEarly, bool expectEarly)
    {
        await using var server = NewHost(o => o with { EarlyMuxerNegotiation = listenerEarly, Muxers = [MplexSession.ProtocolId, YamuxSession.ProtocolId] });
        await using var client = NewHost(o => o with { EarlyMuxerNegotiation = dialerEarly });
        var address = await server.ListenAsync(new IPEndPoint(IPAddress.Loopback, 0), Ct);
        var connection = await client.DialAsync(address, Ct);
        Assert.Equal(expectEarly, connection.MuxerNegotiatedEarly);
        // Early: the initiator's first choice (yamux). Multistream: the dialer proposes yamux first too.
        Assert.Equal(YamuxSession.ProtocolId, connection.Muxer);
        var info = await connection.IdentifyAsync(Ct);
        Assert.Equal(server.PeerId, info.PeerId);
        Assert.Contains("/vac/waku/metadata/1.0.0", info.Protocols);
        Assert.Equal(address.ToString(), Assert.Single(info.ListenAddresses));
        await connection.PingAsync(Ct);
    }

    [Fact]
    public async Task Metadata_AnswersClusterAndShardsAsNwakuReadsThem()
    {
        await using var server = NewHost(o => o with { WakuMetadata = new WakuMetadataOptions(16, [32, 64]) });
        await using var client = NewHost();
        var connection = await client.DialAsync(await server.ListenAsync(new IPEndPoint(IPAddress.Loopback, 0), Ct), Ct);
        var stream = await connection.OpenStreamAsync("/vac/waku/metadata/1.0.0", Ct);
        var request = new WakuMetadataRequest { ClusterId = 1 };
        request.ShardsPacked.Add(0);
        var ms = new MemoryStream();
        Google.Protobuf.MessageExtensions.WriteDelimitedTo(request, ms);
        await stream.WriteAsync(ms.ToArray(), Ct);
        var answer = WakuMetadataResponse.Parser.ParseDelimitedFrom(new MemoryStream(await ReadAll(stream)));
        Assert.Equal(16u, answer.ClusterId);
        Assert.Equal([32u, 64u], answer.ShardsPacked);
        Assert.Equal([32u, 64u], answer.Shards);

        // Field 2 goes out unpacked (tag 0x10 per value) and field 3 packed (one tag 0x1a), as nwaku writes them.
        var raw = Google.Protobuf.MessageExtensions.ToByteArray(answer);
        Assert.Equal("0810102010401a022040", Convert.ToHexStringLower(raw));
    }

    [Fact]
    public async Task OpenStream_UnknownProtocol_ListenerSaysNa()
    {
        await using var server = NewHost();
        await using var client = NewHost();
        var connection = await client.DialAsync(await server.ListenAsync(new IPEndPoint(IPAddress.Loopback, 0), Ct), Ct);
        var e = await Assert.ThrowsAsync<Libp2pException>(() => connection.OpenStreamAsync("/vac/waku/store-query/3.0.0", Ct));
        Assert.Equal(Libp2pErrorReason.ProtocolNotSupported, e.Reason);
    }

    [Fact]
    public async Task Identify_ServerAsksClientToo_BothWays()
    {
        await using var server = NewHost();
        await using var client = NewHost(o => o with { AgentVersion = "client-agent" });
        var inbound = new TaskCompletionSource<Libp2pConnection>();
        server.ConnectionEstablished += c => inbound.TrySetResult(c);
        await client.DialAsync(await server.ListenAsync(new IPEndPoint(IPAddress.Loopback, 0), Ct), Ct);
        var fromServer = await inbound.Task.WaitAsync(Ct);
        var info = await fromServer.IdentifyAsync(Ct);
        Assert.Equal("client-agent", info.AgentVersion);
        Assert.Equal(client.PeerId, info.PeerId);
        Assert.NotNull(info.ObservedAddress);
    }

    [Fact]
    public async Task Dial_NothingListening_ConnectionRefused()
    {
        await using var client = NewHost();
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var e = await Assert.ThrowsAsync<Libp2pException>(() => client.DialAsync(Multiaddress.Parse($"/ip4/127.0.0.1/tcp/{port}"), Ct));
        Assert.Equal(Libp2pErrorReason.ConnectionRefused, e.Reason);
    }

    [Fact]
    public async Task Dial_AcceptQueueFull_ConnectTimeout()
    {
        // A listener that never accepts, with its accept queue filled: Linux drops further SYNs, so connect hangs.
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var endPoint = (IPEndPoint)listener.LocalEndPoint!;
        var fillers = new List<Socket>();
        try
        {
            for (int i = 0; i < 8; i++)
            {
                var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                fillers.Add(filler);
                using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                try
                {
                    await filler.ConnectAsync(endPoint, quick.Token);
                }
                catch (OperationCanceledException)
                {
                    break; // the queue is full: this is the state we want
                }
            }

            await using var client = NewHost(o => o with { ConnectTimeout = TimeSpan.FromMilliseconds(400) });
            var started = DateTime.UtcNow;
            var e = await Assert.ThrowsAsync<Libp2pException>(() => client.DialAsync(Multiaddress.FromEndPoint(endPoint), Ct));
            Assert.Equal(Libp2pErrorReason.Timeout, e.Reason);
            Assert.Contains("Connecting", e.Message, StringComparison.Ordinal);
            Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5));
        }
        finally
        {
            fillers.ForEach(f => f.Dispose());
        }
    }

    [Fact]
    public async Task Dial_SilentServer_HandshakeTimeout()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            await using var client = NewHost(o => o with { HandshakeTimeout = TimeSpan.FromMilliseconds(500) });
            var started = DateTime.UtcNow;
            var e = await Assert.ThrowsAsync<Libp2pException>(() => client.DialAsync(Multiaddress.FromEndPoint((IPEndPoint)listener.LocalEndpoint), Ct));
            Assert.Equal(Libp2pErrorReason.Timeout, e.Reason);
            Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5));
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public async Task Dial_ServerSpeaksGarbage_TypedErrorNotHang()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var serve = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync();
            await socket.SendAsync(new byte[] { 0xff, 0xff, 0xff, 0xff, 0x0f });
            await Task.Delay(2000);
        });
        try
        {
            await using var client = NewHost();
            var e = await Assert.ThrowsAsync<Libp2pException>(() => client.DialAsync(Multiaddress.FromEndPoint((IPEndPoint)listener.LocalEndpoint), Ct));
            Assert.Equal(Libp2pErrorReason.MessageTooLarge, e.Reason);
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public async Task Metadata_PeerNeverSendsRequest_StreamResetAfterHandlerTimeout()
    {
        await using var server = NewHost(o => o with { HandlerTimeout = TimeSpan.FromMilliseconds(300) });
        await using var client = NewHost();
        var connection = await client.DialAsync(await server.ListenAsync(new IPEndPoint(IPAddress.Loopback, 0), Ct), Ct);
        var stream = await connection.OpenStreamAsync("/vac/waku/metadata/1.0.0", Ct);
        var e = await Assert.ThrowsAsync<Libp2pException>(async () => await stream.ReadAtLeastAsync(new byte[1], 1, false, Ct));
        Assert.Equal(Libp2pErrorReason.StreamReset, e.Reason);
    }

    [Fact]
    public async Task Listen_OverMaxConnections_ExtraSocketsClosed()
    {
        await using var server = NewHost(o => o with { MaxConnections = 1 });
        var address = await server.ListenAsync(new IPEndPoint(IPAddress.Loopback, 0), Ct);
        await using var first = NewHost();
        await using var second = NewHost();
        await first.DialAsync(address, Ct);
        var e = await Assert.ThrowsAsync<Libp2pException>(() => second.DialAsync(address, Ct));
        Assert.Contains(e.Reason, new[] { Libp2pErrorReason.ConnectionClosed, Libp2pErrorReason.TransportError });
    }

    [Theory]
    [InlineData("/ip4/127.0.0.1/tcp/1/ws")]
    [InlineData("/dns4/example.com/tcp/443/wss")]
    [InlineData("/p2p/12D3KooWQXa4AdCEZWe9QwoHnrANyMAXirozBdroNHkkvTMhT8bf")]
    public async Task Dial_NotTcp_UnsupportedMultiaddr(string address)
    {
        await using var client = NewHost();
        var e = await Assert.ThrowsAsync<Libp2pException>(() => client.DialAsync(Multiaddress.Parse(address), Ct));
        Assert.Equal(Libp2pErrorReason.UnsupportedMultiaddr, e.Reason);
    }

    [Fact]
    public async Task Dial_Dns4Localhost_ResolvesAndConnects()
    {
        await using var server = NewHost();
        await using var client = NewHost();
        var listen = await server.ListenAsync(new IPEndPoint(IPAddress.Loopback, 0), Ct);
        var port = listen.Components[1].Value;
        var connection = await client.DialAsync(Multiaddress.Parse($"/dns4/localhost/tcp/{port}/p2p/{server.PeerId}"), Ct);
        Assert.Equal(server.PeerId, connection.RemotePeer);
    }

    [Fact]
    public async Task Handler_Throws_StreamResetAndLogged()
    {
        var log = new RecordingLoggerFactory();
        await using var server = NewHost(o => o with { LoggerFactory = log });
        server.SetHandler("/boom/1.0.0", async (s, _, ct) =>
        {
            // Throw only after the client has the negotiation answer: a reset discards unread data, answer included.
            await s.ReadExactlyAsync(new byte[1], ct);
            throw new InvalidOperationException("boom");
        });
        await using var client = NewHost();
        var connection = await client.DialAsync(await server.ListenAsync(new IPEndPoint(IPAddress.Loopback, 0), Ct), Ct);
        var stream = await connection.OpenStreamAsync("/boom/1.0.0", Ct);
        await stream.WriteAsync(new byte[1], Ct);
        var e = await Assert.ThrowsAsync<Libp2pException>(async () => await stream.ReadAtLeastAsync(new byte[1], 1, false, Ct));
        Assert.Equal(Libp2pErrorReason.StreamReset, e.Reason);
        Assert.True(log.Events.Any(ev => ev.EventId == 5000 && ev.Message.Contains("inbound", StringComparison.Ordinal)), string.Join(" | ", log.Events));
        Assert.Contains(log.Events, ev => ev.EventId == 5003 && ev.Message.Contains("/boom/1.0.0", StringComparison.Ordinal));
        // The connection is still usable.
        await connection.PingAsync(Ct);
    }

    [Fact]
    public void Options_NoMuxer_Rejected() =>
        Assert.Throws<ArgumentException>(() => NewHost(o => o with { Muxers = [] }));

    private static async Task<byte[]> ReadAll(Stream s)
    {
        var ms = new MemoryStream();
        await s.CopyToAsync(ms, Ct);
        return ms.ToArray();
    }
}
