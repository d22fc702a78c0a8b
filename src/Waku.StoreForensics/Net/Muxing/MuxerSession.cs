namespace Waku.StoreForensics.Net.Muxing;

/// <summary>Limits and timeouts shared by the stream multiplexers.</summary>
/// <param name="MaxStreams">Open streams per connection (both directions); more inbound are reset, outbound fail.</param>
/// <param name="YamuxWindowSize">Initial yamux receive window per stream (the spec's 256 KiB).</param>
/// <param name="MaxFrameLength">Largest data frame accepted (mplex: 1 MiB as js and nim; yamux: bounded by the window).</param>
/// <param name="MaxBufferedBytesPerStream">mplex has no flow control: unread bytes beyond this reset the stream.</param>
internal sealed record MuxerOptions(
    int MaxStreams = 256,
    int YamuxWindowSize = 256 * 1024,
    int MaxFrameLength = 1024 * 1024,
    int MaxBufferedBytesPerStream = 4 * 1024 * 1024);

/// <summary>A stream multiplexer running over one secured connection.</summary>
internal abstract class MuxerSession : IAsyncDisposable
{
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly CancellationTokenSource _closing = new();
    private Task _readLoop = Task.CompletedTask;
    private int _disposed;

    protected MuxerSession(Stream transport, bool isInitiator, MuxerOptions options, Func<Libp2pStream, Task> onInbound)
    {
        Transport = transport;
        IsInitiator = isInitiator;
        Options = options;
        OnInbound = onInbound;
    }

    /// <summary>Completes when the connection ends; faulted with the reason when it ended by error.</summary>
    public Task Completion => _readLoop;

    /// <summary>The protocol ID of the muxer.</summary>
    public abstract string Protocol { get; }

    /// <summary>Why the session ended, once it has.</summary>
    public Exception? CloseReason { get; private set; }

    protected Stream Transport { get; }

    protected bool IsInitiator { get; }

    protected MuxerOptions Options { get; }

    protected Func<Libp2pStream, Task> OnInbound { get; }

    protected CancellationToken Closing => _closing.Token;

    protected bool IsClosed => _closing.IsCancellationRequested;

    public void Start() => _readLoop = Task.Run(RunAsync);

    public abstract Task<Libp2pStream> OpenStreamAsync(CancellationToken cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            await SayGoodbyeAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or Libp2pException)
        {
            // The transport may already be gone; closing continues.
        }

        Shutdown(new Libp2pException(Libp2pErrorReason.ConnectionClosed, "The connection was closed locally."));
        try
        {
            await _readLoop.ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or Libp2pException)
        {
        }
    }

    /// <summary>Writes one complete frame; frames from concurrent streams never interleave.</summary>
    internal async ValueTask WriteFrameAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        if (IsClosed)
        {
            throw CloseReason as Libp2pException ?? new Libp2pException(Libp2pErrorReason.ConnectionClosed, "The connection is closed.");
        }

        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await Transport.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // ObjectDisposedException: the session shut down (and disposed the transport) during this write.
            var error = CloseReason as Libp2pException ?? new Libp2pException(Libp2pErrorReason.ConnectionClosed, "The connection broke while writing.", e);
            Shutdown(error);
            throw error;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Ends the session: fails every stream with <paramref name="reason"/> and closes the transport.</summary>
    protected void Shutdown(Exception reason)
    {
        if (_closing.IsCancellationRequested)
        {
            return;
        }

        CloseReason = reason;
        _closing.Cancel();
        FailAllStreams(reason);
        Transport.Dispose();
    }

    protected abstract Task ReadLoopAsync(CancellationToken cancellationToken);

    protected abstract void FailAllStreams(Exception reason);

    protected virtual Task SayGoodbyeAsync() => Task.CompletedTask;

    /// <summary>Runs the inbound handler off the read loop so one slow handler cannot stall the connection.</summary>
    protected void DispatchInbound(Libp2pStream stream) =>
        _ = Task.Run(async () =>
        {
            try
            {
                await OnInbound(stream).ConfigureAwait(false);
            }
            catch (Exception)
            {
                stream.Reset();
            }
        });

    private async Task RunAsync()
    {
        try
        {
            await ReadLoopAsync(_closing.Token).ConfigureAwait(false);
            Shutdown(new Libp2pException(Libp2pErrorReason.ConnectionClosed, "The remote closed the connection."));
        }
        catch (Exception e) when (IsClosed)
        {
            _ = e; // closed locally: the read failing is the expected way out.
        }
        catch (Libp2pException e)
        {
            Shutdown(e);
            throw;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or EndOfStreamException)
        {
            var error = new Libp2pException(Libp2pErrorReason.ConnectionClosed, "The connection broke.", e);
            Shutdown(error);
        }
    }
}
