namespace Waku.StoreForensics.Net.Muxing;

/// <summary>
/// One multiplexed stream of a libp2p connection. Reading returns 0 once the remote closed its side;
/// <see cref="CloseWriteAsync"/> half-closes ours; <see cref="Reset"/> aborts both directions.
/// </summary>
public abstract class Libp2pStream : Stream
{
    /// <summary>The protocol negotiated on the stream (empty until negotiation finishes).</summary>
    public string Protocol { get; internal set; } = "";

    /// <summary>The muxer's stream ID (for logs and tests).</summary>
    public abstract long StreamId { get; }

    /// <inheritdoc />
    public override bool CanRead => true;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => true;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>Half-closes the stream: the remote reads end-of-stream after the data already written.</summary>
    public abstract Task CloseWriteAsync(CancellationToken cancellationToken = default);

    /// <summary>Aborts the stream in both directions; the remote sees a reset.</summary>
    public abstract void Reset();

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <inheritdoc />
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <inheritdoc />
    public override void Flush()
    {
    }

    /// <inheritdoc />
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();
}
