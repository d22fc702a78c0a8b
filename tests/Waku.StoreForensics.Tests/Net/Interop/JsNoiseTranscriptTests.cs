using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using NSec.Cryptography;
using Waku.StoreForensics.Net.Crypto;
using Waku.StoreForensics.Net.Noise;

namespace Waku.StoreForensics.Tests.Net.Interop;

/// <summary>
/// Byte-exact Noise XX transcripts: @chainsafe/libp2p-noise's own handshake state computes messages A, B, C and the
/// first transport messages for fixed X25519 keys (tests/interop/js-libp2p/noise-vector.mjs); ours must match.
/// </summary>
[Collection("js-libp2p")]
public class JsNoiseTranscriptTests
{
    private static readonly string EI = new('1', 64), SI = new('2', 64), ER = new('3', 64), SR = new('4', 64);

    private static CancellationToken Ct => new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token;

    private static Key X25519(string hex) =>
        Key.Import(KeyAgreementAlgorithm.X25519, Convert.FromHexString(hex), KeyBlobFormat.RawPrivateKey);

    private static byte[] Pub(string hex)
    {
        using var key = X25519(hex);
        return key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
    }

    private static async Task<JsonElement> JsTranscriptAsync(byte[] payloadI, byte[] payloadR)
    {
        var psi = new ProcessStartInfo("node") { WorkingDirectory = JsPeer.Directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("noise-vector.mjs");
        psi.ArgumentList.Add(JsonSerializer.Serialize(new { eI = EI, sI = SI, eR = ER, sR = SR, payloadI = Convert.ToHexStringLower(payloadI), payloadR = Convert.ToHexStringLower(payloadR) }));
        using var p = Process.Start(psi)!;
        var output = await p.StandardOutput.ReadToEndAsync(Ct);
        var error = await p.StandardError.ReadToEndAsync(Ct);
        await p.WaitForExitAsync(Ct);
        Assert.True(p.ExitCode == 0, error);
        return JsonDocument.Parse(output).RootElement.Clone();
    }

    private static byte[] Hex(JsonElement e, string name) => Convert.FromHexString(e.GetProperty(name).GetString()!);

    private static async Task<byte[]> ReadFrameAsync(Stream s)
    {
        var header = new byte[2];
        await s.ReadExactlyAsync(header, Ct);
        var body = new byte[BinaryPrimitives.ReadUInt16BigEndian(header)];
        await s.ReadExactlyAsync(body, Ct);
        return body;
    }

    private static async Task WriteFrameAsync(Stream s, byte[] body)
    {
        var frame = new byte[2 + body.Length];
        BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)body.Length);
        body.CopyTo(frame, 2);
        await s.WriteAsync(frame, Ct);
    }

    [Theory]
    [InlineData(KeyType.Ed25519)]
    [InlineData(KeyType.Secp256k1)]
    public async Task OurInitiator_FixedKeys_WritesJsBytes(KeyType type)
    {
        // Both signature schemes are deterministic (RFC 8032, RFC 6979), so the payloads are fixed too.
        using var alice = Identity.FromRawPrivateKey(type, Enumerable.Repeat((byte)5, 32).ToArray());
        using var bob = Identity.FromRawPrivateKey(type, Enumerable.Repeat((byte)6, 32).ToArray());
        var payloadI = NoiseHandshake.BuildPayload(alice, Pub(SI), ["/yamux/1.0.0"]);
        var payloadR = NoiseHandshake.BuildPayload(bob, Pub(SR), ["/yamux/1.0.0", "/mplex/6.7.0"]);
        var js = await JsTranscriptAsync(payloadI, payloadR);

        var (ours, theirs) = DuplexPipe.Create();
        var initiator = NoiseHandshake.InitiateAsync(ours, alice, bob.PeerId, ["/yamux/1.0.0"], Ct, new NoiseKeys(X25519(SI), X25519(EI)));
        Assert.Equal(Hex(js, "a"), await ReadFrameAsync(theirs));
        await WriteFrameAsync(theirs, Hex(js, "b"));
        Assert.Equal(Hex(js, "c"), await ReadFrameAsync(theirs));
        var result = await initiator;
        Assert.Equal(bob.PeerId, result.RemotePeer);
        Assert.Equal(["/yamux/1.0.0", "/mplex/6.7.0"], result.RemoteMuxers);

        await result.Stream.WriteAsync("hello"u8.ToArray(), Ct);
        Assert.Equal(Hex(js, "t1"), await ReadFrameAsync(theirs));
        await WriteFrameAsync(theirs, Hex(js, "t2"));
        var world = new byte[5];
        await result.Stream.ReadExactlyAsync(world, Ct);
        Assert.Equal("world", Encoding.ASCII.GetString(world));
    }

    [Fact]
    public async Task OurResponder_FixedKeys_WritesJsBytes()
    {
        using var alice = Identity.FromRawPrivateKey(KeyType.Secp256k1, Enumerable.Repeat((byte)7, 32).ToArray());
        using var bob = Identity.FromRawPrivateKey(KeyType.Ed25519, Enumerable.Repeat((byte)8, 32).ToArray());
        var payloadI = NoiseHandshake.BuildPayload(alice, Pub(SI), []);
        var payloadR = NoiseHandshake.BuildPayload(bob, Pub(SR), []);
        var js = await JsTranscriptAsync(payloadI, payloadR);

        var (ours, theirs) = DuplexPipe.Create();
        var responder = NoiseHandshake.RespondAsync(ours, bob, [], Ct, new NoiseKeys(X25519(SR), X25519(ER)));
        await WriteFrameAsync(theirs, Hex(js, "a"));
        Assert.Equal(Hex(js, "b"), await ReadFrameAsync(theirs));
        await WriteFrameAsync(theirs, Hex(js, "c"));
        var result = await responder;
        Assert.Equal(alice.PeerId, result.RemotePeer);
        Assert.Empty(result.RemoteMuxers);

        await WriteFrameAsync(theirs, Hex(js, "t1"));
        var hello = new byte[5];
        await result.Stream.ReadExactlyAsync(hello, Ct);
        Assert.Equal("hello", Encoding.ASCII.GetString(hello));
        await result.Stream.WriteAsync("world"u8.ToArray(), Ct);
        Assert.Equal(Hex(js, "t2"), await ReadFrameAsync(theirs));
    }
}
