using System.Buffers.Binary;
using System.Security.Cryptography;
using Waku.StoreForensics.Net;
using Waku.StoreForensics.Net.Multiformats;
using Waku.StoreForensics.Net.Muxing;
using Waku.StoreForensics.Net.Muxing.Mplex;
using Waku.StoreForensics.Net.Muxing.Yamux;

namespace Waku.StoreForensics.Tests.Net.Muxing;

public class MuxerSessionTests
{
    private static CancellationToken Ct => new CancellationTokenSource(TimeSpan.FromSeconds(15)).Token;

    public static TheoryData<string> Muxers => new() { YamuxSession.ProtocolId, MplexSession.ProtocolId };

    private static (MuxerSession Client, MuxerSession Server) Pair(string muxer, Func<Libp2pStream, Task> serverInbound, MuxerOptions? options = null)
    {
        var (a, b) = DuplexPipe.Create();
        options ??= new MuxerOptions();
        MuxerSession client, server;
        if (muxer == YamuxSession.ProtocolId)
        {
            client = new YamuxSession(a, true, options, s => { s.Reset(); return Task.CompletedTask; });
            server = new YamuxSession(b, false, options, serverInbound);
        }
        else
        {
            client = new MplexSession(a, true, options, s => { s.Reset(); return Task.CompletedTask; });
            server = new MplexSession(b, false, options, serverInbound);
        }

        client.Start();
        server.Start();
        return (client, server);
    }

    private static async Task Echo(Libp2pStream s)
    {
        await s.CopyToAsync(s);
        await s.CloseWriteAsync();
    }

    private static async Task<byte[]> ReadAll(Stream s, CancellationToken ct)
    {
        var ms = new MemoryStream();
        await s.CopyToAsync(ms, ct);
        return ms.ToArray();
    }

    [Theory]
    [MemberData(nameof(Muxers))]
    public async Task Stream_EchoFourMiB_ArrivesIntactAcrossWindows(string muxer)
    {
        var (client, server) = Pair(muxer, Echo);
        await using var _ = client;
        await using var __ = server;
        var s = await client.OpenStreamAsync(Ct);
        var payload = RandomNumberGenerator.GetBytes(4 * 1024 * 1024);
        var ct = Ct;
        var write = Task.Run(async () =>
        {
            await s.WriteAsync(payload, ct);
            await s.CloseWriteAsync(ct);
        });
        var back = await ReadAll(s, ct);
        await write;
        Assert.Equal(payload, back);
    }

    [Theory]
    [MemberData(nameof(Muxers))]
    public async Task Streams_HundredConcurrent_AllEchoed(string muxer)
    {
        var (client, server) = Pair(muxer, Echo);
        await using var _ = client;
        await using var __ = server;
        var ct = Ct;
        var results = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => Task.Run(async () =>
        {
            var s = await client.OpenStreamAsync(ct);
            var payload = RandomNumberGenerator.GetBytes(10_000 + i);
            await s.WriteAsync(payload, ct);
            await s.CloseWriteAsync(ct);
            var back = await ReadAll(s, ct);
            return payload.AsSpan().SequenceEqual(back);
        })));
        Assert.All(results, Assert.True);
    }

    [Theory]
    [MemberData(nameof(Muxers))]
    public async Task Reset_ByServerMidTransfer_ClientReadThrowsStreamReset(string muxer)
    {
        var (client, server) = Pair(muxer, async s =>
        {
            await s.WriteAsync(new byte[100_000]);
            s.Reset();
        });
        await using var _ = client;
        await using var __ = server;
        var s = await client.OpenStreamAsync(Ct);
        await s.WriteAsync(new byte[1], Ct);
        var e = await Assert.ThrowsAsync<Libp2pException>(async () =>
        {
            var buffer = new byte[4096];
            while (await s.ReadAsync(buffer, Ct) > 0)
            {
            }
        });
        Assert.Equal(Libp2pErrorReason.StreamReset, e.Reason);
        await Assert.ThrowsAsync<Libp2pException>(async () => await s.WriteAsync(new byte[1], Ct));
    }

    [Theory]
    [MemberData(nameof(Muxers))]
    public async Task HalfClose_ClientFinishes_ServerStillAnswers(string muxer)
    {
        var (client, server) = Pair(muxer, async s =>
        {
            var got = await ReadAll(s, CancellationToken.None);
            await s.WriteAsync(BitConverter.GetBytes(got.Length));
            await s.CloseWriteAsync();
        });
        await using var _ = client;
        await using var __ = server;
        var s = await client.OpenStreamAsync(Ct);
        await s.WriteAsync(new byte[12345], Ct);
        await s.CloseWriteAsync(Ct);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await s.WriteAsync(new byte[1], Ct));
        Assert.Equal(12345, BitConverter.ToInt32(await ReadAll(s, Ct)));
    }

    [Theory]
    [MemberData(nameof(Muxers))]
    public async Task Session_RemoteDisappears_OpenStreamsFailConnectionClosed(string muxer)
    {
        var never = new TaskCompletionSource();
        var (client, server) = Pair(muxer, _ => never.Task);
        await using var _ = client;
        var s = await client.OpenStreamAsync(Ct);
        await s.WriteAsync(new byte[1], Ct);
        await server.DisposeAsync();
        var e = await Assert.ThrowsAsync<Libp2pException>(async () => await s.ReadAtLeastAsync(new byte[1], 1, false, Ct));
        Assert.Contains(e.Reason, new[] { Libp2pErrorReason.ConnectionClosed });
        // A remote that closes cleanly ends the session without a fault; the reason is recorded.
        await client.Completion.WaitAsync(Ct);
        Assert.Equal(Libp2pErrorReason.ConnectionClosed, Assert.IsType<Libp2pException>(client.CloseReason).Reason);
    }

    [Fact]
    public async Task Yamux_Ping_RoundTrips()
    {
        var (client, server) = Pair(YamuxSession.ProtocolId, Echo);
        await using var _ = client;
        await using var __ = server;
        var rtt = await ((YamuxSession)client).PingAsync(Ct);
        Assert.True(rtt < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Yamux_OpenBeyondMaxStreams_TooManyStreams()
    {
        var never = new TaskCompletionSource();
        var (client, server) = Pair(YamuxSession.ProtocolId, _ => never.Task, new MuxerOptions(MaxStreams: 2));
        await using var _ = client;
        await using var __ = server;
        await client.OpenStreamAsync(Ct);
        await client.OpenStreamAsync(Ct);
        var e = await Assert.ThrowsAsync<Libp2pException>(() => client.OpenStreamAsync(Ct));
        Assert.Equal(Libp2pErrorReason.TooManyStreams, e.Reason);
    }

    [Fact]
    public async Task Yamux_HostilePeerOpensTooManyStreams_ExtraOnesReset()
    {
        var (peer, ours) = DuplexPipe.Create();
        var never = new TaskCompletionSource();
        var session = new YamuxSession(ours, false, new MuxerOptions(MaxStreams: 2), _ => never.Task);
        session.Start();
        await using var _ = session;
        foreach (uint id in new uint[] { 1, 3, 5 })
        {
            await peer.WriteAsync(Frame(YamuxFrameType.WindowUpdate, YamuxFlags.Syn, id, []), Ct);
        }

        // Three answers: ACK, ACK and RST (for stream 5), in any order.
        var answers = new List<(YamuxFlags Flags, uint Id)>();
        var header = new byte[12];
        for (int i = 0; i < 3; i++)
        {
            await peer.ReadExactlyAsync(header, Ct);
            answers.Add(((YamuxFlags)BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(2)), BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4))));
        }

        Assert.Contains((YamuxFlags.Rst, 5u), answers);
        Assert.Equal(2, answers.Count(a => a.Flags == YamuxFlags.Ack));
        Assert.Equal(2, session.StreamCount);
    }

    [Fact]
    public async Task Yamux_HostilePeerOverrunsWindow_ProtocolViolation()
    {
        var (peer, ours) = DuplexPipe.Create();
        var inbound = new TaskCompletionSource<Libp2pStream>();
        var session = new YamuxSession(ours, false, new MuxerOptions(), s => { inbound.TrySetResult(s); return new TaskCompletionSource().Task; });
        session.Start();
        await using var _ = session;
        // SYN with 256 KiB of data (the whole window) is fine; one more byte is not.
        await peer.WriteAsync(Frame(YamuxFrameType.Data, YamuxFlags.Syn, 1, new byte[256 * 1024]), Ct);
        await inbound.Task.WaitAsync(Ct);
        await peer.WriteAsync(Frame(YamuxFrameType.Data, YamuxFlags.None, 1, new byte[1]), Ct);
        var e = await Assert.ThrowsAsync<Libp2pException>(() => session.Completion.WaitAsync(Ct));
        Assert.Equal(Libp2pErrorReason.ProtocolViolation, e.Reason);
    }

    [Theory]
    [InlineData("01000000000000010000000000")] // version 1
    [InlineData("00070000000000010000000000")] // type 7
    [InlineData("00000001000000020000000000")] // SYN with our own parity (server opens even IDs)
    [InlineData("000000000000000000000000")]   // data on stream 0
    public async Task Yamux_MalformedFrame_ProtocolViolation(string hex)
    {
        var (peer, ours) = DuplexPipe.Create();
        var session = new YamuxSession(ours, false, new MuxerOptions(), _ => Task.CompletedTask);
        session.Start();
        await using var _ = session;
        await peer.WriteAsync(Convert.FromHexString(hex)[..12], Ct);
        var e = await Assert.ThrowsAsync<Libp2pException>(() => session.Completion.WaitAsync(Ct));
        Assert.Equal(Libp2pErrorReason.ProtocolViolation, e.Reason);
    }

    [Fact]
    public async Task Yamux_HugeDataLength_RefusedBeforeAllocating()
    {
        var (peer, ours) = DuplexPipe.Create();
        var session = new YamuxSession(ours, false, new MuxerOptions(), _ => Task.CompletedTask);
        session.Start();
        await using var _ = session;
        var header = new byte[12];
        header[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(2), 1);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), 1);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(8), uint.MaxValue);
        await peer.WriteAsync(header, Ct);
        var e = await Assert.ThrowsAsync<Libp2pException>(() => session.Completion.WaitAsync(Ct));
        Assert.Equal(Libp2pErrorReason.ProtocolViolation, e.Reason);
    }

    [Fact]
    public async Task Yamux_WindowUpdates_LetWriterPastInitialWindow()
    {
        // The reader consumes slowly; the writer must block at 256 KiB and resume on window updates.
        var received = new TaskCompletionSource<int>();
        var (client, server) = Pair(YamuxSession.ProtocolId, async s =>
        {
            await Task.Delay(200);
            received.TrySetResult((await ReadAll(s, CancellationToken.None)).Length);
        });
        await using var _ = client;
        await using var __ = server;
        var s = await client.OpenStreamAsync(Ct);
        await s.WriteAsync(new byte[1024 * 1024], Ct);
        await s.CloseWriteAsync(Ct);
        Assert.Equal(1024 * 1024, await received.Task.WaitAsync(Ct));
    }

    [Fact]
    public async Task Yamux_RemoteGoAway_NoNewStreamsButExistingOneWorks()
    {
        var (peer, ours) = DuplexPipe.Create();
        var session = new YamuxSession(ours, true, new MuxerOptions(), _ => Task.CompletedTask);
        session.Start();
        await using var _ = session;
        var open = await session.OpenStreamAsync(Ct);
        var syn = new byte[12];
        await peer.ReadExactlyAsync(syn, Ct);
        await peer.WriteAsync(Frame(YamuxFrameType.GoAway, YamuxFlags.None, 0, []), Ct);
        await peer.WriteAsync(Frame(YamuxFrameType.Data, YamuxFlags.Ack, 1, "still here"u8.ToArray()), Ct);
        var got = new byte[10];
        await open.ReadExactlyAsync(got, Ct);
        Assert.Equal("still here"u8.ToArray(), got);
        var e = await Assert.ThrowsAsync<Libp2pException>(() => session.OpenStreamAsync(Ct));
        Assert.Equal(Libp2pErrorReason.ConnectionClosed, e.Reason);
    }

    [Fact]
    public async Task Yamux_RemoteGoAwayWithError_SessionEndsTyped()
    {
        var (peer, ours) = DuplexPipe.Create();
        var session = new YamuxSession(ours, true, new MuxerOptions(), _ => Task.CompletedTask);
        session.Start();
        await using var _ = session;
        var frame = Frame(YamuxFrameType.GoAway, YamuxFlags.None, 0, []);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(8), 2); // internal error
        await peer.WriteAsync(frame, Ct);
        var e = await Assert.ThrowsAsync<Libp2pException>(() => session.Completion.WaitAsync(Ct));
        Assert.Equal(Libp2pErrorReason.ConnectionClosed, e.Reason);
    }

    [Fact]
    public async Task Mplex_FrameOverLimit_MessageTooLarge()
    {
        var (peer, ours) = DuplexPipe.Create();
        var session = new MplexSession(ours, false, new MuxerOptions(), _ => Task.CompletedTask);
        session.Start();
        await using var _ = session;
        await peer.WriteAsync(UVarint.Encode(0).Concat(UVarint.Encode(1024 * 1024 + 1)).ToArray(), Ct);
        var e = await Assert.ThrowsAsync<Libp2pException>(() => session.Completion.WaitAsync(Ct));
        Assert.Equal(Libp2pErrorReason.MessageTooLarge, e.Reason);
    }

    [Fact]
    public async Task Mplex_UnreadBufferOverLimit_StreamReset()
    {
        var (peer, ours) = DuplexPipe.Create();
        var inbound = new TaskCompletionSource<Libp2pStream>();
        var session = new MplexSession(ours, false, new MuxerOptions(MaxBufferedBytesPerStream: 64 * 1024), s => { inbound.TrySetResult(s); return new TaskCompletionSource().Task; });
        session.Start();
        await using var _ = session;
        await peer.WriteAsync(UVarint.Encode(5 << 3).Concat(new byte[] { 1, (byte)'5' }).ToArray(), Ct); // NewStream id 5
        var stream = await inbound.Task.WaitAsync(Ct);
        for (int i = 0; i < 3; i++)
        {
            await peer.WriteAsync(UVarint.Encode((5 << 3) | 2).Concat(UVarint.Encode(30_000)).Concat(new byte[30_000]).ToArray(), Ct);
        }

        // Nobody read: 90 000 bytes overflow the 64 KiB limit, and we tell the peer with a ResetReceiver frame.
        var reply = new byte[2];
        await peer.ReadExactlyAsync(reply, Ct);
        Assert.Equal((5 << 3) | 5, reply[0]);
        var e = await Assert.ThrowsAsync<Libp2pException>(async () => await stream.ReadAtLeastAsync(new byte[1], 1, false, Ct));
        Assert.Equal(Libp2pErrorReason.StreamReset, e.Reason);
    }

    private static byte[] Frame(YamuxFrameType type, YamuxFlags flags, uint id, byte[] data)
    {
        var frame = new byte[12 + data.Length];
        frame[1] = (byte)type;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), (ushort)flags);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), id);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(8), (uint)data.Length);
        data.CopyTo(frame, 12);
        return frame;
    }
}
