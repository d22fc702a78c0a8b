using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using Waku.StoreForensics.Net;
using Waku.StoreForensics.Net.Crypto;
using Waku.StoreForensics.Net.Multiformats;
using Waku.StoreForensics.Net.Muxing.Mplex;
using Waku.StoreForensics.Net.Muxing.Yamux;

namespace Waku.StoreForensics.Tests.Net.Interop;

/// <summary>
/// Our libp2p subset against js-libp2p 2.10 (noise 16, yamux 7, mplex 11) started by the tests over loopback.
/// </summary>
[Collection("js-libp2p")]
public class JsLibp2pInteropTests
{
    private static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(20);

    private static CancellationToken Ct(int seconds = 30) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    private static Libp2pHost NewHost(KeyType key = KeyType.Ed25519, IReadOnlyList<string>? muxers = null, bool early = true)
    {
        var identity = key == KeyType.Ed25519 ? Identity.CreateEd25519() : Identity.CreateSecp256k1();
        var options = new Libp2pHostOptions(identity)
        {
            Muxers = muxers ?? [YamuxSession.ProtocolId, MplexSession.ProtocolId],
            EarlyMuxerNegotiation = early,
            HandshakeTimeout = TimeSpan.FromSeconds(10),
        };
        var host = new Libp2pHost(options);
        TestProtocols.Register(host);
        return host;
    }

    private static async Task<(JsPeer Js, Multiaddress Address)> StartJsListenerAsync(string key = "ed25519", string[]? muxers = null)
    {
        var js = await JsPeer.StartAsync(new { mode = "listen", key, muxers = muxers ?? ["yamux", "mplex"] });
        var listening = await js.WaitForAsync("listening", EventTimeout);
        var address = Multiaddress.Parse(listening.GetProperty("addrs")[0].GetString()!);
        return (js, address);
    }

    [Theory]
    [InlineData("ed25519", "yamux", KeyType.Ed25519, true)]
    [InlineData("secp256k1", "yamux", KeyType.Secp256k1, true)]
    [InlineData("ed25519", "mplex", KeyType.Secp256k1, true)]
    [InlineData("secp256k1", "mplex", KeyType.Ed25519, false)]
    [InlineData("ed25519", "yamux", KeyType.Secp256k1, false)]
    public async Task OurDialer_JsListener_IdentifyPingEchoBothWays(string jsKey, string jsMuxer, KeyType ourKey, bool early)
    {
        var (js, address) = await StartJsListenerAsync(jsKey, [jsMuxer]);
        await using var _ = js;
        await using var host = NewHost(ourKey, early: early);
        var ct = Ct();

        var connection = await host.DialAsync(address, ct);
        Assert.Equal(address.PeerId, connection.RemotePeer);
        Assert.Equal(jsMuxer == "yamux" ? YamuxSession.ProtocolId : MplexSession.ProtocolId, connection.Muxer);
        Assert.Equal(early, connection.MuxerNegotiatedEarly);

        // We ask js…
        var info = await connection.IdentifyAsync(ct);
        Assert.StartsWith("js-libp2p/", info.AgentVersion, StringComparison.Ordinal);
        Assert.Equal(address.PeerId, info.PeerId);
        Assert.Contains(TestProtocols.Echo, info.Protocols);
        Assert.Contains("/ipfs/ping/1.0.0", info.Protocols);

        // …and js asked us on its own, right after connecting.
        var theirView = await js.WaitForAsync("identify", EventTimeout);
        Assert.Equal(host.PeerId.ToString(), theirView.GetProperty("peer").GetString());
        Assert.Equal(host.Options.AgentVersion, theirView.GetProperty("agent").GetString());
        var protocols = theirView.GetProperty("protocols").EnumerateArray().Select(p => p.GetString()).ToArray();
        Assert.Contains("/vac/waku/metadata/1.0.0", protocols);
        Assert.Contains(TestProtocols.Echo, protocols);

        var rtt = await connection.PingAsync(ct);
        Assert.True(rtt < TimeSpan.FromSeconds(5));

        await using var echo = await connection.OpenStreamAsync(TestProtocols.Echo, ct);
        var payload = RandomNumberGenerator.GetBytes(300_000);
        var writer = Task.Run(async () =>
        {
            await echo.WriteAsync(payload, ct);
            await echo.CloseWriteAsync(ct);
        });
        var back = await TestProtocols.ReadToEndAsync(echo, ct);
        await writer;
        Assert.Equal(payload, back);
        await connection.DisposeAsync();
    }

    [Fact]
    public async Task OurDialer_UnknownProtocol_JsAnswersNa()
    {
        var (js, address) = await StartJsListenerAsync();
        await using var _ = js;
        await using var host = NewHost();
        var connection = await host.DialAsync(address, Ct());
        var e = await Assert.ThrowsAsync<Libp2pException>(() => connection.OpenStreamAsync(["/nope/1.0.0", "/nope/2.0.0"], Ct()));
        Assert.Equal(Libp2pErrorReason.ProtocolNotSupported, e.Reason);
        // The connection survives a refused protocol.
        await connection.PingAsync(Ct());
    }

    [Theory]
    [InlineData("yamux")]
    [InlineData("mplex")]
    public async Task OurDialer_HundredConcurrentStreams_AllEchoed(string muxer)
    {
        var (js, address) = await StartJsListenerAsync(muxers: [muxer]);
        await using var _ = js;
        await using var host = NewHost();
        var ct = Ct(60);
        var connection = await host.DialAsync(address, ct);

        var tasks = Enumerable.Range(0, 100).Select(i => Task.Run(async () =>
        {
            await using var s = await connection.OpenStreamAsync(TestProtocols.Echo, ct);
            var payload = TestProtocols.Pattern(i * 1000, 20_000 + i);
            await s.WriteAsync(payload, ct);
            await s.CloseWriteAsync(ct);
            var back = await TestProtocols.ReadToEndAsync(s, ct);
            return payload.AsSpan().SequenceEqual(back);
        })).ToArray();
        var results = await Task.WhenAll(tasks);
        Assert.All(results, Assert.True);
    }

    [Fact]
    public async Task OurDialer_64MiBUploadAndDownload_ChecksumsMatch()
    {
        var (js, address) = await StartJsListenerAsync(muxers: ["yamux"]);
        await using var _ = js;
        await using var host = NewHost();
        var ct = Ct(90);
        const long total = 64L * 1024 * 1024;
        var connection = await host.DialAsync(address, ct);

        await using (var up = await connection.OpenStreamAsync(TestProtocols.Sha256, ct))
        {
            await TestProtocols.WritePatternAsync(up, total, ct);
            await up.CloseWriteAsync(ct);
            var answer = await TestProtocols.ReadToEndAsync(up, ct);
            Assert.Equal(40, answer.Length);
            Assert.Equal(total, BinaryPrimitives.ReadInt64BigEndian(answer.AsSpan(32)));
            Assert.Equal(TestProtocols.PatternSha256(total), answer[..32]);
        }

        await using (var down = await connection.OpenStreamAsync(TestProtocols.Source, ct))
        {
            var request = new byte[8];
            BinaryPrimitives.WriteInt64BigEndian(request, total);
            await down.WriteAsync(request, ct);
            await down.CloseWriteAsync(ct);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[256 * 1024];
            long received = 0;
            int n;
            while ((n = await down.ReadAsync(buffer, ct)) > 0)
            {
                hash.AppendData(buffer, 0, n);
                received += n;
            }

            Assert.Equal(total, received);
            Assert.Equal(TestProtocols.PatternSha256(total), hash.GetHashAndReset());
        }
    }

    [Theory]
    [InlineData("yamux")]
    [InlineData("mplex")]
    public async Task OurDialer_JsResetsMidTransfer_StreamResetAndConnectionSurvives(string muxer)
    {
        var (js, address) = await StartJsListenerAsync(muxers: [muxer]);
        await using var _ = js;
        await using var host = NewHost();
        var ct = Ct();
        var connection = await host.DialAsync(address, ct);
        var s = await connection.OpenStreamAsync(TestProtocols.Reset, ct);
        long received = 0;
        var buffer = new byte[64 * 1024];
        var e = await Assert.ThrowsAsync<Libp2pException>(async () =>
        {
            int n;
            while ((n = await s.ReadAsync(buffer, ct)) > 0)
            {
                received += n;
            }
        });
        Assert.Equal(Libp2pErrorReason.StreamReset, e.Reason);
        // A reset discards unread data, so over mplex (no flow control) even 0 bytes may have been read by then.
        Assert.True(received < 64L * 1024 * 1024, $"received {received}");
        await connection.PingAsync(ct);
    }

    [Fact]
    public async Task Probe_JsListener_ReportsAgentProtocolsAndMissingStore()
    {
        var (js, address) = await StartJsListenerAsync("secp256k1");
        await using var _ = js;
        var report = await Waku.StoreForensics.Net.Probe.NodeProbe.ProbeAsync(address, new Libp2pHostOptions(Identity.CreateSecp256k1()),
            [Waku.StoreForensics.Net.Probe.KnownClients.StoreForensicsReseed], Ct());
        Assert.True(report.Connected);
        Assert.False(report.Satisfied);
        Assert.StartsWith("js-libp2p/", report.AgentVersion, StringComparison.Ordinal);
        Assert.Contains(report.Protocols, p => p.Name == "/ipfs/ping" && p.Version == "1.0.0");
        Assert.NotNull(report.PingMilliseconds);
        Assert.Equal(Waku.StoreForensics.Cli.ExitCodes.DamageFound, await Waku.StoreForensics.Cli.CliApp.RunAsync(["probe", address.ToString(), "--json"]));
    }

    [Fact]
    public async Task OurDialer_WrongPeerIdInAddress_PeerIdMismatch()
    {
        var (js, address) = await StartJsListenerAsync();
        await using var _ = js;
        await using var host = NewHost();
        using var other = Identity.CreateEd25519();
        var e = await Assert.ThrowsAsync<Libp2pException>(() => host.DialAsync(address.WithPeerId(other.PeerId), Ct()));
        Assert.Equal(Libp2pErrorReason.PeerIdMismatch, e.Reason);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task OurDialer_NoCommonMuxer_TypedError(bool early)
    {
        var (js, address) = await StartJsListenerAsync(muxers: ["yamux"]);
        await using var _ = js;
        await using var host = NewHost(muxers: [MplexSession.ProtocolId], early: early);
        var e = await Assert.ThrowsAsync<Libp2pException>(() => host.DialAsync(address, Ct()));
        Assert.Equal(Libp2pErrorReason.NoCommonMuxer, e.Reason);
    }

    [Theory]
    [InlineData(KeyType.Ed25519, "yamux", "ed25519")]
    [InlineData(KeyType.Secp256k1, "mplex", "secp256k1")]
    [InlineData(KeyType.Secp256k1, "yamux", "ed25519")]
    public async Task JsDialer_OurListener_IdentifyPingEchoHundredStreamsUploadReset(KeyType ourKey, string jsMuxer, string jsKey)
    {
        await using var host = NewHost(ourKey);
        var sinkOutcome = new TaskCompletionSource<(Exception? Error, long Received)>(TaskCreationOptions.RunContinuationsAsynchronously);
        TestProtocols.Register(host, sinkOutcome);
        var connected = new TaskCompletionSource<Libp2pConnection>(TaskCreationOptions.RunContinuationsAsynchronously);
        host.ConnectionEstablished += c => connected.TrySetResult(c);
        var address = await host.ListenAsync(new IPEndPoint(IPAddress.Loopback, 0), Ct());

        await using var js = await JsPeer.StartAsync(new { mode = "dial", key = jsKey, muxers = new[] { jsMuxer }, target = address.ToString() });
        var result = await js.WaitForAsync("result", TimeSpan.FromSeconds(40));
        Assert.False(result.TryGetProperty("error", out var error), error.ToString());

        Assert.Equal(host.Options.AgentVersion, result.GetProperty("agent").GetString());
        Assert.Contains("/ipfs/ping/1.0.0", result.GetProperty("protocols").EnumerateArray().Select(p => p.GetString()));
        Assert.True(result.GetProperty("rtt").GetDouble() >= 0);
        Assert.True(result.GetProperty("echoOk").GetBoolean());
        Assert.True(result.GetProperty("uploadOk").GetBoolean());
        Assert.True(result.GetProperty("concurrentOk").GetBoolean());

        var inbound = await connected.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(inbound.IsInitiator);
        Assert.Equal(jsMuxer == "yamux" ? YamuxSession.ProtocolId : MplexSession.ProtocolId, inbound.Muxer);

        // js aborted the /test/sink stream after 1 MiB of 64 MiB: our handler must have seen a reset, not a clean end.
        var (sinkError, received) = await sinkOutcome.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(received < 64L * 1024 * 1024, $"received {received}");
        var reset = Assert.IsType<Libp2pException>(sinkError);
        Assert.Equal(Libp2pErrorReason.StreamReset, reset.Reason);
    }
}
