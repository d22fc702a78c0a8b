using System.Security.Cryptography;
using Waku.StoreForensics.Net;
using Waku.StoreForensics.Net.Crypto;
using Waku.StoreForensics.Net.Noise;

namespace Waku.StoreForensics.Tests.Net.Noise;

public class NoiseHandshakeTests
{
    private static CancellationToken Ct => new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token;

    [Theory]
    [InlineData(KeyType.Ed25519, KeyType.Secp256k1)]
    [InlineData(KeyType.Secp256k1, KeyType.Ed25519)]
    [InlineData(KeyType.Secp256k1, KeyType.Secp256k1)]
    public async Task Handshake_BothEnds_ProvePeerIdsAndExchangeData(KeyType initiatorKey, KeyType responderKey)
    {
        using var alice = Create(initiatorKey);
        using var bob = Create(responderKey);
        var (a, b) = DuplexPipe.Create();
        var responder = NoiseHandshake.RespondAsync(b, bob, ["/yamux/1.0.0"], Ct);
        var initiator = await NoiseHandshake.InitiateAsync(a, alice, bob.PeerId, ["/yamux/1.0.0", "/mplex/6.7.0"], Ct);
        var resp = await responder;

        Assert.Equal(bob.PeerId, initiator.RemotePeer);
        Assert.Equal(alice.PeerId, resp.RemotePeer);
        Assert.Equal(["/yamux/1.0.0"], initiator.RemoteMuxers);
        Assert.Equal(["/yamux/1.0.0", "/mplex/6.7.0"], resp.RemoteMuxers);

        // More than one Noise frame in each direction.
        var payload = RandomNumberGenerator.GetBytes(200_000);
        var write = initiator.Stream.WriteAsync(payload, Ct).AsTask();
        var received = new byte[payload.Length];
        await resp.Stream.ReadExactlyAsync(received, Ct);
        await write;
        Assert.Equal(payload, received);

        await resp.Stream.WriteAsync("pong"u8.ToArray(), Ct);
        var pong = new byte[4];
        await initiator.Stream.ReadExactlyAsync(pong, Ct);
        Assert.Equal("pong"u8.ToArray(), pong);
    }

    [Theory]
    [InlineData("0005aabbccddee")]      // frame shorter than its tag
    [InlineData("0011000102030405060708090a0b0c0d0e0f10")] // 17 bytes that do not authenticate
    public async Task Transport_BadFrame_MalformedMessage(string hex)
    {
        using var alice = Identity.CreateEd25519();
        using var bob = Identity.CreateEd25519();
        var (a, b) = DuplexPipe.Create();
        var (c, d) = DuplexPipe.Create();
        // Relay the handshake, then inject a bad transport frame towards the initiator.
        var responder = NoiseHandshake.RespondAsync(d, bob, [], Ct);
        var relay = Task.Run(async () =>
        {
            var buf = new byte[4096];
            int n = await b.ReadAsync(buf, Ct);
            await c.WriteAsync(buf.AsMemory(0, n), Ct);
            n = await c.ReadAsync(buf, Ct);
            await b.WriteAsync(buf.AsMemory(0, n), Ct);
            n = await b.ReadAsync(buf, Ct);
            await c.WriteAsync(buf.AsMemory(0, n), Ct);
            await b.WriteAsync(Convert.FromHexString(hex), Ct);
        });
        var initiator = await NoiseHandshake.InitiateAsync(a, alice, bob.PeerId, [], Ct);
        await responder;
        await relay;
        var e = await Assert.ThrowsAsync<Libp2pException>(async () => await initiator.Stream.ReadAtLeastAsync(new byte[16], 1, false, Ct));
        Assert.Equal(Libp2pErrorReason.MalformedMessage, e.Reason);
    }

    [Fact]
    public async Task Handshake_RemoteIsNotTheDialledPeer_PeerIdMismatch()
    {
        using var alice = Identity.CreateEd25519();
        using var bob = Identity.CreateEd25519();
        using var mallory = Identity.CreateSecp256k1();
        var (a, b) = DuplexPipe.Create();
        _ = NoiseHandshake.RespondAsync(b, mallory, [], Ct);
        var e = await Assert.ThrowsAsync<Libp2pException>(() => NoiseHandshake.InitiateAsync(a, alice, bob.PeerId, [], Ct));
        Assert.Equal(Libp2pErrorReason.PeerIdMismatch, e.Reason);
    }

    [Fact]
    public async Task Handshake_NoExtensions_RemoteMuxersEmpty()
    {
        using var alice = Identity.CreateSecp256k1();
        using var bob = Identity.CreateSecp256k1();
        var (a, b) = DuplexPipe.Create();
        var responder = NoiseHandshake.RespondAsync(b, bob, [], Ct);
        var initiator = await NoiseHandshake.InitiateAsync(a, alice, null, [], Ct);
        Assert.Empty(initiator.RemoteMuxers);
        Assert.Empty((await responder).RemoteMuxers);
    }

    [Fact]
    public async Task Handshake_TamperedMessage2_NoiseHandshakeFailed()
    {
        using var alice = Identity.CreateEd25519();
        using var bob = Identity.CreateEd25519();
        var (a, b) = DuplexPipe.Create();
        var (c, d) = DuplexPipe.Create();
        // A relay in the middle that flips one byte of the responder's message 2.
        _ = NoiseHandshake.RespondAsync(d, bob, [], Ct);
        _ = Task.Run(async () =>
        {
            var buf = new byte[4096];
            int n = await b.ReadAsync(buf, Ct);
            await c.WriteAsync(buf.AsMemory(0, n), Ct);
            n = await c.ReadAsync(buf, Ct);
            buf[60] ^= 0x40;
            await b.WriteAsync(buf.AsMemory(0, n), Ct);
        });
        var e = await Assert.ThrowsAsync<Libp2pException>(() => NoiseHandshake.InitiateAsync(a, alice, null, [], Ct));
        Assert.Equal(Libp2pErrorReason.NoiseHandshakeFailed, e.Reason);
    }

    [Fact]
    public async Task Handshake_PeerClosesEarly_NoiseHandshakeFailed()
    {
        using var alice = Identity.CreateEd25519();
        var (a, b) = DuplexPipe.Create();
        b.Dispose();
        var e = await Assert.ThrowsAsync<Libp2pException>(() => NoiseHandshake.InitiateAsync(a, alice, null, [], Ct));
        Assert.Equal(Libp2pErrorReason.NoiseHandshakeFailed, e.Reason);
    }

    [Fact]
    public void SymmetricState_HkdfMatchesNoiseDefinition()
    {
        // Noise §4.3 HKDF written out with HMAC, compared with our extract/expand form through MixKey and Split.
        var ck = System.Text.Encoding.ASCII.GetBytes(SymmetricState.ProtocolName);
        var ikm = RandomNumberGenerator.GetBytes(32);
        var temp = HMACSHA256.HashData(ck, ikm);
        var out1 = HMACSHA256.HashData(temp, new byte[] { 1 });
        var out2 = HMACSHA256.HashData(temp, out1.Append((byte)2).ToArray());

        using var state = new SymmetricState();
        state.MixKey(ikm);
        // After MixKey, ck = out1 and the cipher key = out2: encrypting with out2 must match.
        var expected = new byte[5 + 16];
        using (var aead = new ChaCha20Poly1305(out2))
        {
            aead.Encrypt(new byte[12], "hello"u8, expected.AsSpan(0, 5), expected.AsSpan(5), state.HandshakeHash);
        }

        Assert.Equal(expected, state.EncryptAndHash("hello"u8));
        var (first, _) = state.Split();
        var splitTemp = HMACSHA256.HashData(out1, Array.Empty<byte>());
        var k1 = HMACSHA256.HashData(splitTemp, new byte[] { 1 });
        var viaUs = new byte[3 + 16];
        first.EncryptWithAd([], "abc"u8, viaUs);
        var viaSpec = new byte[3 + 16];
        using (var aead = new ChaCha20Poly1305(k1))
        {
            aead.Encrypt(new byte[12], "abc"u8, viaSpec.AsSpan(0, 3), viaSpec.AsSpan(3));
        }

        Assert.Equal(viaSpec, viaUs);
    }

    private static Identity Create(KeyType type) => type == KeyType.Ed25519 ? Identity.CreateEd25519() : Identity.CreateSecp256k1();
}
