namespace Waku.StoreForensics.Net.Muxing.Yamux;

/// <summary>One yamux stream: send credit from the remote's window updates, receive credit returned as we read.</summary>
internal sealed class YamuxStream : Libp2pStream
{
    private readonly YamuxSession _session;
    private readonly uint _id;
    private readonly int _windowSize;
    private readonly ReceiveQueue _received = new();
    private readonly object _gate = new();
    private long _sendWindow;
    private long _receiveWindow;
    private long _consumedSinceUpdate;
    private TaskCompletionSource? _sendWaiter;
    private Exception? _sendError;
    private bool _localClosed;
    private bool _remoteClosed;
    private bool _discarding;

    public YamuxStream(YamuxSession session, uint id, int windowSize)
    {
        _session = session;
        _id = id;
        _windowSize = windowSize;
        // yamux/README.md: both directions start at 256 KiB. nim-libp2p (nwaku) counts its receive window from
        // 256 000 bytes instead, so assume the smaller one for what we may send; updates add deltas to it.
        _sendWindow = NimInitialWindow;
        // We grant the spec's 256 KiB, plus whatever larger window is configured in the SYN or ACK frame.
        _receiveWindow = windowSize;
    }

    /// <summary>The initial window nim-libp2p assumes (the spec says 262 144).</summary>
    public const int NimInitialWindow = 256_000;

    /// <summary>The spec's initial window.</summary>
    public const int SpecInitialWindow = 256 * 1024;

    /// <summary>Extra receive window announced in the SYN or ACK frame beyond the spec's initial 256 KiB.</summary>
    public uint InitialDelta => (uint)(_windowSize - SpecInitialWindow);

    public override long StreamId => _id;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n = await _received.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (n > 0)
        {
            await CreditAsync(n, cancellationToken).ConfigureAwait(false);
        }

        return n;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            int allowed = await TakeSendCreditAsync(Math.Min(buffer.Length, YamuxSession.MaxSendFrame), cancellationToken).ConfigureAwait(false);
            await _session.SendDataAsync(_id, buffer[..allowed], cancellationToken).ConfigureAwait(false);
            buffer = buffer[allowed..];
        }
    }

    public override async Task CloseWriteAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_localClosed || _sendError is not null)
            {
                return;
            }

            _localClosed = true;
        }

        await _session.SendHeaderAsync(YamuxFrameType.WindowUpdate, YamuxFlags.Fin, _id, 0, cancellationToken).ConfigureAwait(false);
        MaybeForget();
    }

    public override void Reset()
    {
        lock (_gate)
        {
            if (_sendError is not null && _remoteClosed)
            {
                return;
            }

            _sendError ??= new Libp2pException(Libp2pErrorReason.StreamReset, "The stream was reset locally.");
            _localClosed = true;
            _remoteClosed = true;
            _sendWaiter?.TrySetResult();
        }

        _received.Fail(new Libp2pException(Libp2pErrorReason.StreamReset, "The stream was reset locally."));
        _session.SendControl(YamuxFrameType.WindowUpdate, YamuxFlags.Rst, _id, 0);
        _session.Forget(_id);
    }

    public override async ValueTask DisposeAsync()
    {
        StopReading();
        try
        {
            await CloseWriteAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is Libp2pException or IOException or ObjectDisposedException)
        {
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Bytes of the remote's data frame; false when it overran the window we granted.</summary>
    internal bool OnData(ReadOnlySpan<byte> data)
    {
        bool discard;
        lock (_gate)
        {
            if (data.Length > _receiveWindow)
            {
                return false;
            }

            _receiveWindow -= data.Length;
            discard = _discarding || _remoteClosed;
        }

        if (discard)
        {
            // Nobody will read this: hand the credit back at once so the remote is not stalled.
            _ = CreditAsync(data.Length, CancellationToken.None).AsTask().ContinueWith(static _ => { }, TaskScheduler.Default);
        }
        else
        {
            _received.Enqueue(data);
        }

        return true;
    }

    internal void OnWindowUpdate(uint delta)
    {
        if (delta == 0)
        {
            return;
        }

        TaskCompletionSource? wake;
        lock (_gate)
        {
            _sendWindow += delta;
            wake = _sendWaiter;
            _sendWaiter = null;
        }

        wake?.TrySetResult();
    }

    internal void OnFlags(YamuxFlags flags)
    {
        if ((flags & YamuxFlags.Rst) != 0)
        {
            var error = new Libp2pException(Libp2pErrorReason.StreamReset, $"The remote reset stream {_id}.");
            TaskCompletionSource? wake;
            lock (_gate)
            {
                _sendError ??= error;
                _remoteClosed = true;
                _localClosed = true;
                wake = _sendWaiter;
                _sendWaiter = null;
            }

            wake?.TrySetResult();
            _received.Fail(error);
            _session.Forget(_id);
            return;
        }

        if ((flags & YamuxFlags.Fin) != 0)
        {
            lock (_gate)
            {
                _remoteClosed = true;
            }

            _received.Complete();
            MaybeForget();
        }
    }

    internal void OnSessionClosed(Exception reason)
    {
        TaskCompletionSource? wake;
        lock (_gate)
        {
            _sendError ??= reason;
            wake = _sendWaiter;
            _sendWaiter = null;
        }

        wake?.TrySetResult();
        _received.Fail(reason);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            StopReading();
            _ = CloseWriteAsync().ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
        }

        base.Dispose(disposing);
    }

    private void StopReading()
    {
        long unread;
        lock (_gate)
        {
            if (_discarding)
            {
                return;
            }

            _discarding = true;
            unread = _received.Buffered;
        }

        _received.Complete();
        if (unread > 0)
        {
            _ = CreditAsync((int)unread, CancellationToken.None).AsTask().ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
        }
    }

    private async ValueTask CreditAsync(int consumed, CancellationToken cancellationToken)
    {
        uint delta = 0;
        lock (_gate)
        {
            _consumedSinceUpdate += consumed;
            // Return credit in batches of half a window, as go-yamux and js-yamux do, to keep updates rare.
            if (_consumedSinceUpdate >= _windowSize / 2 && !_remoteClosed)
            {
                delta = (uint)_consumedSinceUpdate;
                _receiveWindow += _consumedSinceUpdate;
                _consumedSinceUpdate = 0;
            }
        }

        if (delta > 0)
        {
            try
            {
                await _session.SendHeaderAsync(YamuxFrameType.WindowUpdate, YamuxFlags.None, _id, delta, cancellationToken).ConfigureAwait(false);
            }
            catch (Libp2pException)
            {
                // The session is closing; the read that follows reports it.
            }
        }
    }

    private async ValueTask<int> TakeSendCreditAsync(int wanted, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            lock (_gate)
            {
                if (_sendError is not null)
                {
                    throw _sendError;
                }

                if (_localClosed)
                {
                    throw new InvalidOperationException("The stream's write side is closed.");
                }

                if (_sendWindow > 0)
                {
                    int take = (int)Math.Min(wanted, _sendWindow);
                    _sendWindow -= take;
                    return take;
                }

                _sendWaiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _sendWaiter.Task;
            }

            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void MaybeForget()
    {
        lock (_gate)
        {
            if (!(_localClosed && _remoteClosed))
            {
                return;
            }
        }

        _session.Forget(_id);
    }
}
