using CsCheck;
using Waku.StoreForensics.Net;
using Waku.StoreForensics.Net.Crypto;
using Waku.StoreForensics.Net.Multistream;
using Waku.StoreForensics.Net.Muxing;
using Waku.StoreForensics.Net.Muxing.Mplex;
using Waku.StoreForensics.Net.Muxing.Yamux;
using Waku.StoreForensics.Net.Noise;

namespace Waku.StoreForensics.Tests.Net;

/// <summary>Random bytes from a peer end in a typed error or a clean end, never a hang or another exception type.</summary>
public class HostileInputTests
{
    private static readonly Gen<byte[]> Garbage = Gen.Byte.Array[0, 300];
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);

    private static async Task Feed(byte[] bytes, Func<Stream, Task> consumer)
    {
        var (peer, ours) = DuplexPipe.Create();
        var run = consumer(ours);
        await peer.WriteAsync(bytes);
        peer.Dispose(); // end of input: the consumer must finish now
        try
        {
            await run.WaitAsync(Deadline);
        }
        catch (Libp2pException)
        {
        }
    }

    [Fact]
    public async Task Yamux_RandomFrames_TypedErrorOrCleanEnd()
    {
        await FixedSample.RunAsync(Garbage, bytes => Feed(bytes, async s =>
        {
            var session = new YamuxSession(s, false, new MuxerOptions(), st => { st.Reset(); return Task.CompletedTask; });
            session.Start();
            await session.Completion;
        }), iter: 150, seed: "0N0XIzNsQ0O2");
    }

    [Fact]
    public async Task Mplex_RandomFrames_TypedErrorOrCleanEnd()
    {
        await FixedSample.RunAsync(Garbage, bytes => Feed(bytes, async s =>
        {
            var session = new MplexSession(s, false, new MuxerOptions(), st => { st.Reset(); return Task.CompletedTask; });
            session.Start();
            await session.Completion;
        }), iter: 150, seed: "0N0XIzNsQ0O2");
    }

    [Fact]
    public async Task NoiseResponder_RandomMessages_NoiseOrClosedError()
    {
        using var identity = Identity.CreateEd25519();
        await FixedSample.RunAsync(Gen.Byte.Array[0, 200], bytes =>
        {
            // Prefix a valid 2-byte frame length so the handshake code, not just framing, sees the garbage.
            var framed = new byte[] { 0, (byte)Math.Min(bytes.Length, 255) }.Concat(bytes).ToArray();
            return Feed(framed, async s =>
            {
                await NoiseHandshake.RespondAsync(s, identity, [], CancellationToken.None);
                throw new InvalidOperationException("A random message 1 and no message 3 cannot complete a handshake.");
            });
        }, iter: 100, seed: "0N0XIzNsQ0O2");
    }

    [Fact]
    public async Task MultistreamListener_RandomInput_TypedErrorNeverOtherwise()
    {
        await FixedSample.RunAsync(Garbage, bytes => Feed(bytes, s => MultistreamSelect.ListenAsync(s, _ => false, () => [], CancellationToken.None)), iter: 150, seed: "0N0XIzNsQ0O2");
    }
}
