namespace Waku.StoreForensics.Net.Muxing.Mplex;

/// <summary>One mplex stream; our frames carry the initiator or receiver flag variant by who opened it.</summary>
internal sealed class MplexStream : Libp2pStream
{
    private readonly MplexSession _session;
    private readonly ulong _id;
    private readonly bool _initiator;
    private readonly ReceiveQueue _received = new();
    private readonly object _gate = new();
    private Exception? _sendError;
    private bool _localClosed;
    private bool _remoteClosed;

    public MplexStream(MplexSession session, ulong id, bool initiator)
    {
        _session = session;
        _id = id;
        _initiator = initiator;
    }

    public override long StreamId => (long)_id;

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _received.ReadAsync(buffer, cancellationToken);

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
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
        }

        if (!buffer.IsEmpty)
        {
            await _session.SendAsync(_id, _initiator ? MplexFlag.MessageInitiator : MplexFlag.MessageReceiver, buffer, cancellationToken).ConfigureAwait(false);
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

        await _session.SendAsync(_id, _initiator ? MplexFlag.CloseInitiator : MplexFlag.CloseReceiver, ReadOnlyMemory<byte>.Empty, cancellationToken).ConfigureAwait(false);
        MaybeForget();
    }

    public override void Reset()
    {
        lock (_gate)
        {
            if (_sendError is not null)
            {
                return;
            }

            _sendError = new Libp2pException(Libp2pErrorReason.StreamReset, "The stream was reset locally.");
            _localClosed = _remoteClosed = true;
        }

        _received.Fail(new Libp2pException(Libp2pErrorReason.StreamReset, "The stream was reset locally."));
        _session.SendControl(_id, _initiator ? MplexFlag.ResetInitiator : MplexFlag.ResetReceiver);
        _session.Forget(_id, _initiator);
    }

    public override async ValueTask DisposeAsync()
    {
        try
        {
            await CloseWriteAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is Libp2pException or IOException or ObjectDisposedException)
        {
        }

        _received.Complete();
        await base.DisposeAsync().ConfigureAwait(false);
    }

    internal bool OnData(ReadOnlySpan<byte> data, int maxBuffered)
    {
        if (_received.Buffered + data.Length > maxBuffered)
        {
            return false;
        }

        _received.Enqueue(data);
        return true;
    }

    internal void OnRemoteClose()
    {
        lock (_gate)
        {
            _remoteClosed = true;
        }

        _received.Complete();
        MaybeForget();
    }

    internal void OnRemoteReset()
    {
        var error = new Libp2pException(Libp2pErrorReason.StreamReset, $"The remote reset stream {_id}.");
        lock (_gate)
        {
            _sendError ??= error;
            _localClosed = _remoteClosed = true;
        }

        _received.Fail(error);
        _session.Forget(_id, _initiator);
    }

    internal void OnSessionClosed(Exception reason)
    {
        lock (_gate)
        {
            _sendError ??= reason;
        }

        _received.Fail(reason);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _ = CloseWriteAsync().ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
            _received.Complete();
        }

        base.Dispose(disposing);
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

        _session.Forget(_id, _initiator);
    }
}
