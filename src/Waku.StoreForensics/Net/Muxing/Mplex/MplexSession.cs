using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Waku.StoreForensics.Net.Multiformats;

namespace Waku.StoreForensics.Net.Muxing.Mplex;

/// <summary>mplex flags (mplex/README.md "Flag Values"); odd ones come from the receiver side of a stream.</summary>
internal enum MplexFlag
{
    NewStream = 0,
    MessageReceiver = 1,
    MessageInitiator = 2,
    CloseReceiver = 3,
    CloseInitiator = 4,
    ResetReceiver = 5,
    ResetInitiator = 6,
}

/// <summary>
/// mplex (libp2p mplex/README.md): frames of uvarint header (<c>id &lt;&lt; 3 | flag</c>), uvarint length and data.
/// No flow control, so unread data per stream is capped and the stream reset beyond the cap (as js does).
/// </summary>
internal sealed class MplexSession : MuxerSession
{
    public const string ProtocolId = MuxerProtocols.Mplex;
    private const int MaxSendChunk = 64 * 1024;

    private readonly ConcurrentDictionary<(ulong Id, bool Initiator), MplexStream> _streams = new();
    private long _nextStreamId;

    public MplexSession(Stream transport, bool isInitiator, MuxerOptions options, Func<Libp2pStream, Task> onInbound)
        : base(transport, isInitiator, options, onInbound)
    {
    }

    public override string Protocol => ProtocolId;

    public override async Task<Libp2pStream> OpenStreamAsync(CancellationToken cancellationToken)
    {
        if (_streams.Count >= Options.MaxStreams)
        {
            throw new Libp2pException(Libp2pErrorReason.TooManyStreams, $"{Options.MaxStreams} streams are already open.");
        }

        ulong id = (ulong)(Interlocked.Increment(ref _nextStreamId) - 1);
        var stream = new MplexStream(this, id, initiator: true);
        _streams[(id, true)] = stream;
        await SendAsync(id, MplexFlag.NewStream, Encoding.UTF8.GetBytes(id.ToString(CultureInfo.InvariantCulture)), cancellationToken).ConfigureAwait(false);
        return stream;
    }

    internal async ValueTask SendAsync(ulong id, MplexFlag flag, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        do
        {
            var chunk = data[..Math.Min(data.Length, MaxSendChunk)];
            data = data[chunk.Length..];
            var frame = ArrayPool<byte>.Shared.Rent(2 * UVarint.MaxLength + chunk.Length);
            try
            {
                int n = UVarint.Write(frame, (id << 3) | (ulong)flag);
                n += UVarint.Write(frame.AsSpan(n), (ulong)chunk.Length);
                chunk.CopyTo(frame.AsMemory(n));
                await WriteFrameAsync(frame.AsMemory(0, n + chunk.Length), cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(frame);
            }
        }
        while (!data.IsEmpty);
    }

    internal void SendControl(ulong id, MplexFlag flag) =>
        _ = Task.Run(async () =>
        {
            try
            {
                await SendAsync(id, flag, ReadOnlyMemory<byte>.Empty, Closing).ConfigureAwait(false);
            }
            catch (Exception e) when (e is Libp2pException or IOException or ObjectDisposedException or OperationCanceledException)
            {
            }
        });

    internal void Forget(ulong id, bool initiator) => _streams.TryRemove((id, initiator), out _);

    protected override async Task ReadLoopAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            ulong? header = await UVarintFromBufferAsync(cancellationToken).ConfigureAwait(false);
            if (header is null)
            {
                return;
            }

            ulong length = await UVarintFromBufferAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new Libp2pException(Libp2pErrorReason.ConnectionClosed, "The connection closed inside an mplex frame.");
            if (length > (ulong)Options.MaxFrameLength)
            {
                throw new Libp2pException(Libp2pErrorReason.MessageTooLarge, $"mplex frame of {length} bytes exceeds {Options.MaxFrameLength}.");
            }

            ulong id = header.Value >> 3;
            var flag = (MplexFlag)(header.Value & 7);
            var data = ArrayPool<byte>.Shared.Rent((int)Math.Max(length, 1));
            try
            {
                await ReadExactAsync(data.AsMemory(0, (int)length), cancellationToken).ConfigureAwait(false);
                Dispatch(id, flag, data.AsSpan(0, (int)length));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(data);
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
    }

    private void Dispatch(ulong id, MplexFlag flag, ReadOnlySpan<byte> data)
    {
        // Frames with an even flag (except NewStream) come from the stream's initiator, so they address a
        // stream the remote opened; odd flags come from the receiver and address one we opened.
        bool remoteOpened = flag is MplexFlag.NewStream or MplexFlag.MessageInitiator or MplexFlag.CloseInitiator or MplexFlag.ResetInitiator;
        var key = (id, !remoteOpened);
        if (flag == MplexFlag.NewStream)
        {
            if (_streams.ContainsKey(key))
            {
                throw new Libp2pException(Libp2pErrorReason.ProtocolViolation, $"mplex stream {id} opened twice.");
            }

            if (_streams.Count >= Options.MaxStreams || IsClosed)
            {
                SendControl(id, MplexFlag.ResetReceiver);
                return;
            }

            var inbound = new MplexStream(this, id, initiator: false);
            _streams[key] = inbound;
            DispatchInbound(inbound);
            return;
        }

        if ((int)flag == 7)
        {
            throw new Libp2pException(Libp2pErrorReason.ProtocolViolation, "Unknown mplex flag 7.");
        }

        if (!_streams.TryGetValue(key, out var stream))
        {
            return; // frames for a stream already closed or reset: ignore, as the spec allows
        }

        switch (flag)
        {
            case MplexFlag.MessageInitiator or MplexFlag.MessageReceiver:
                if (!stream.OnData(data, Options.MaxBufferedBytesPerStream))
                {
                    stream.Reset();
                }

                break;
            case MplexFlag.CloseInitiator or MplexFlag.CloseReceiver:
                stream.OnRemoteClose();
                break;
            case MplexFlag.ResetInitiator or MplexFlag.ResetReceiver:
                stream.OnRemoteReset();
                break;
        }
    }

    private async ValueTask<ulong?> UVarintFromBufferAsync(CancellationToken cancellationToken) =>
        await UVarint.ReadAsync(Transport, cancellationToken).ConfigureAwait(false);

    private async ValueTask ReadExactAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            await Transport.ReadExactlyAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (EndOfStreamException e)
        {
            throw new Libp2pException(Libp2pErrorReason.ConnectionClosed, "The connection closed inside an mplex frame.", e);
        }
    }
}
