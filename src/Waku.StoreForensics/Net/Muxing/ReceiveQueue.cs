namespace Waku.StoreForensics.Net.Muxing;

/// <summary>
/// Bytes received for one stream and not yet read. The session's read loop never blocks on it: the muxer
/// bounds what may arrive (yamux window, mplex buffer limit) and treats anything beyond as a violation.
/// </summary>
internal sealed class ReceiveQueue
{
    private readonly Queue<byte[]> _chunks = new();
    private readonly object _gate = new();
    private int _headOffset;
    private long _buffered;
    private bool _completed;
    private Exception? _error;
    private TaskCompletionSource? _waiter;

    public long Buffered
    {
        get
        {
            lock (_gate)
            {
                return _buffered;
            }
        }
    }

    public bool IsCompleted
    {
        get
        {
            lock (_gate)
            {
                return _completed || _error is not null;
            }
        }
    }

    public void Enqueue(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        TaskCompletionSource? wake;
        lock (_gate)
        {
            if (_completed || _error is not null)
            {
                return;
            }

            _chunks.Enqueue(data.ToArray());
            _buffered += data.Length;
            wake = _waiter;
            _waiter = null;
        }

        wake?.TrySetResult();
    }

    /// <summary>No more data will come; reads drain what is buffered and then return 0.</summary>
    public void Complete()
    {
        TaskCompletionSource? wake;
        lock (_gate)
        {
            _completed = true;
            wake = _waiter;
            _waiter = null;
        }

        wake?.TrySetResult();
    }

    /// <summary>Discards buffered data; reads throw <paramref name="error"/>.</summary>
    public void Fail(Exception error)
    {
        TaskCompletionSource? wake;
        lock (_gate)
        {
            _error ??= error;
            _chunks.Clear();
            _buffered = 0;
            wake = _waiter;
            _waiter = null;
        }

        wake?.TrySetResult();
    }

    public async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (destination.IsEmpty)
        {
            return 0;
        }

        while (true)
        {
            Task wait;
            lock (_gate)
            {
                if (_error is not null)
                {
                    throw _error;
                }

                if (_chunks.Count > 0)
                {
                    int copied = 0;
                    while (copied < destination.Length && _chunks.Count > 0)
                    {
                        var head = _chunks.Peek();
                        int n = Math.Min(head.Length - _headOffset, destination.Length - copied);
                        head.AsSpan(_headOffset, n).CopyTo(destination.Span[copied..]);
                        copied += n;
                        _headOffset += n;
                        if (_headOffset == head.Length)
                        {
                            _chunks.Dequeue();
                            _headOffset = 0;
                        }
                    }

                    _buffered -= copied;
                    return copied;
                }

                if (_completed)
                {
                    return 0;
                }

                _waiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _waiter.Task;
            }

            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
