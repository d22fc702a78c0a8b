using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;

namespace Waku.StoreForensics.Net.Muxing.Yamux;

/// <summary>yamux frame types (yamux/README.md "Type").</summary>
internal enum YamuxFrameType : byte
{
    Data = 0,
    WindowUpdate = 1,
    Ping = 2,
    GoAway = 3,
}

/// <summary>yamux flags (yamux/README.md "Flags").</summary>
[Flags]
internal enum YamuxFlags : ushort
{
    None = 0,
    Syn = 1,
    Ack = 2,
    Fin = 4,
    Rst = 8,
}

/// <summary>
/// yamux (libp2p yamux/README.md, hashicorp spec.md): 12-byte big-endian header, per-stream flow control
/// with window updates, ping, go-away; the connection's initiator uses odd stream IDs.
/// </summary>
internal sealed class YamuxSession : MuxerSession
{
    public const string ProtocolId = MuxerProtocols.Yamux;
    public const int HeaderLength = 12;

    /// <summary>Largest data frame we send; js-yamux and go-yamux use 64 KiB too.</summary>
    public const int MaxSendFrame = 64 * 1024;

    private const uint GoAwayNormal = 0;
    private const uint GoAwayProtocolError = 1;

    private readonly ConcurrentDictionary<uint, YamuxStream> _streams = new();
    private readonly ConcurrentDictionary<uint, TaskCompletionSource> _pings = new();
    private uint _nextStreamId;
    private int _nextPingId;
    private volatile bool _remoteGoingAway;

    public YamuxSession(Stream transport, bool isInitiator, MuxerOptions options, Func<Libp2pStream, Task> onInbound)
        : base(transport, isInitiator, options, onInbound)
    {
        _nextStreamId = isInitiator ? 1u : 2u;
    }

    public override string Protocol => ProtocolId;

    public int StreamCount => _streams.Count;

    public override async Task<Libp2pStream> OpenStreamAsync(CancellationToken cancellationToken)
    {
        if (_remoteGoingAway)
        {
            throw new Libp2pException(Libp2pErrorReason.ConnectionClosed, "The remote sent go-away; no new streams.");
        }

        if (_streams.Count >= Options.MaxStreams)
        {
            throw new Libp2pException(Libp2pErrorReason.TooManyStreams, $"{Options.MaxStreams} streams are already open.");
        }

        uint id = Interlocked.Add(ref _nextStreamId, 2) - 2;
        var stream = new YamuxStream(this, id, Options.YamuxWindowSize);
        _streams[id] = stream;
        // yamux: "SYN — Signals the start of a new stream. May be sent with a data or window update message."
        await SendHeaderAsync(YamuxFrameType.WindowUpdate, YamuxFlags.Syn, id, stream.InitialDelta, cancellationToken).ConfigureAwait(false);
        return stream;
    }

    /// <summary>Sends a ping and waits for the echo; returns the round-trip time.</summary>
    public async Task<TimeSpan> PingAsync(CancellationToken cancellationToken)
    {
        uint opaque = (uint)Interlocked.Increment(ref _nextPingId);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _pings[opaque] = done;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            await SendHeaderAsync(YamuxFrameType.Ping, YamuxFlags.Syn, 0, opaque, cancellationToken).ConfigureAwait(false);
            await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            return System.Diagnostics.Stopwatch.GetElapsedTime(started);
        }
        finally
        {
            _pings.TryRemove(opaque, out _);
        }
    }

    internal ValueTask SendHeaderAsync(YamuxFrameType type, YamuxFlags flags, uint streamId, uint length, CancellationToken cancellationToken)
    {
        var header = new byte[HeaderLength];
        WriteHeader(header, type, flags, streamId, length);
        return WriteFrameAsync(header, cancellationToken);
    }

    internal async ValueTask SendDataAsync(uint streamId, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var frame = ArrayPool<byte>.Shared.Rent(HeaderLength + data.Length);
        try
        {
            WriteHeader(frame, YamuxFrameType.Data, YamuxFlags.None, streamId, (uint)data.Length);
            data.CopyTo(frame.AsMemory(HeaderLength));
            await WriteFrameAsync(frame.AsMemory(0, HeaderLength + data.Length), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(frame);
        }
    }

    /// <summary>Control frames sent from the read loop must never wait on a full socket, or two peers could deadlock.</summary>
    internal void SendControl(YamuxFrameType type, YamuxFlags flags, uint streamId, uint length) =>
        _ = Task.Run(async () =>
        {
            try
            {
                await SendHeaderAsync(type, flags, streamId, length, Closing).ConfigureAwait(false);
            }
            catch (Exception e) when (e is Libp2pException or IOException or ObjectDisposedException or OperationCanceledException)
            {
                // The connection is going down; its reader reports why.
            }
        });

    internal void Forget(uint streamId) => _streams.TryRemove(streamId, out _);

    protected override async Task ReadLoopAsync(CancellationToken cancellationToken)
    {
        var header = new byte[HeaderLength];
        while (true)
        {
            int got = await Transport.ReadAtLeastAsync(header, HeaderLength, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            if (got == 0)
            {
                return;
            }

            if (got < HeaderLength)
            {
                throw new Libp2pException(Libp2pErrorReason.ConnectionClosed, "The connection closed inside a yamux header.");
            }

            if (header[0] != 0)
            {
                throw Violation($"Unknown yamux version {header[0]}.");
            }

            var type = (YamuxFrameType)header[1];
            var flags = (YamuxFlags)BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(2));
            uint id = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4));
            uint length = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(8));

            switch (type)
            {
                case YamuxFrameType.Data:
                    await OnDataAsync(flags, id, length, cancellationToken).ConfigureAwait(false);
                    break;
                case YamuxFrameType.WindowUpdate:
                {
                    var stream = Accept(flags, id);
                    stream?.OnWindowUpdate(length);
                    stream?.OnFlags(flags);
                    break;
                }

                case YamuxFrameType.Ping:
                    if ((flags & YamuxFlags.Syn) != 0)
                    {
                        SendControl(YamuxFrameType.Ping, YamuxFlags.Ack, 0, length);
                    }
                    else if ((flags & YamuxFlags.Ack) != 0 && _pings.TryGetValue(length, out var ping))
                    {
                        ping.TrySetResult();
                    }

                    break;
                case YamuxFrameType.GoAway:
                    // The remote accepts no new streams; existing ones may finish. Reading continues until EOF.
                    _remoteGoingAway = true;
                    if (length != GoAwayNormal)
                    {
                        throw new Libp2pException(Libp2pErrorReason.ConnectionClosed, $"The remote sent go-away with error code {length}.");
                    }

                    break;
                default:
                    throw Violation($"Unknown yamux frame type {(byte)type}.");
            }
        }
    }

    protected override void FailAllStreams(Exception reason)
    {
        foreach (var stream in _streams.Values)
        {
            stream.OnSessionClosed(reason);
        }

        _streams.Clear();
        foreach (var ping in _pings.Values)
        {
            ping.TrySetException(reason);
        }
    }

    protected override async Task SayGoodbyeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        await SendHeaderAsync(YamuxFrameType.GoAway, YamuxFlags.None, 0, GoAwayNormal, timeout.Token).ConfigureAwait(false);
    }

    private async Task OnDataAsync(YamuxFlags flags, uint id, uint length, CancellationToken cancellationToken)
    {
        // A data frame can never legally exceed the window we granted; refusing before allocating bounds memory.
        if (length > (uint)Math.Max(Options.YamuxWindowSize, Options.MaxFrameLength))
        {
            throw Violation($"yamux data frame of {length} bytes exceeds the window.");
        }

        var stream = Accept(flags, id);
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Max(length, 1));
        try
        {
            await Transport.ReadExactlyAsync(buffer.AsMemory(0, (int)length), cancellationToken).ConfigureAwait(false);
            if (stream is not null && !stream.OnData(buffer.AsSpan(0, (int)length)))
            {
                throw Violation($"The remote sent more than the window allows on stream {id}.");
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        stream?.OnFlags(flags);
    }

    /// <summary>Finds the stream of a frame, creating it on SYN; null for frames of streams already gone.</summary>
    private YamuxStream? Accept(YamuxFlags flags, uint id)
    {
        if (id == 0)
        {
            throw Violation("yamux data or window update on stream 0.");
        }

        if ((flags & YamuxFlags.Syn) == 0)
        {
            return _streams.TryGetValue(id, out var existing) ? existing : null;
        }

        bool remoteParity = (id % 2 == 1) != IsInitiator;
        if (!remoteParity || _streams.ContainsKey(id))
        {
            throw Violation($"Invalid yamux SYN for stream {id}.");
        }

        if (_streams.Count >= Options.MaxStreams || IsClosed)
        {
            SendControl(YamuxFrameType.WindowUpdate, YamuxFlags.Rst, id, 0);
            return null;
        }

        var stream = new YamuxStream(this, id, Options.YamuxWindowSize);
        _streams[id] = stream;
        SendControl(YamuxFrameType.WindowUpdate, YamuxFlags.Ack, id, stream.InitialDelta);
        DispatchInbound(stream);
        return stream;
    }

    private Libp2pException Violation(string message)
    {
        SendControl(YamuxFrameType.GoAway, YamuxFlags.None, 0, GoAwayProtocolError);
        return new Libp2pException(Libp2pErrorReason.ProtocolViolation, message);
    }

    private static void WriteHeader(Span<byte> header, YamuxFrameType type, YamuxFlags flags, uint streamId, uint length)
    {
        header[0] = 0;
        header[1] = (byte)type;
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], (ushort)flags);
        BinaryPrimitives.WriteUInt32BigEndian(header[4..], streamId);
        BinaryPrimitives.WriteUInt32BigEndian(header[8..], length);
    }
}
