using System.Buffers;
using System.Buffers.Binary;

namespace Waku.StoreForensics.Net.Noise;

/// <summary>
/// Noise transport messages over a byte stream (noise/README.md "Wire Format"): each frame is a 2-byte
/// big-endian length and a ChaChaPoly ciphertext of at most 65 535 bytes. One reader and one writer at a time.
/// </summary>
internal sealed class NoiseSecureStream : Stream
{
    /// <summary>The most plaintext one frame carries: 65 535 minus the 16-byte tag.</summary>
    public const int MaxPlaintext = NoiseHandshake.MaxMessageLength - CipherState.TagLength;

    private readonly Stream _inner;
    private readonly CipherState _send;
    private readonly CipherState _receive;
    private readonly byte[] _frame = new byte[NoiseHandshake.MaxMessageLength];
    private readonly byte[] _plain = new byte[MaxPlaintext];
    private int _plainOffset;
    private int _plainCount;

    public NoiseSecureStream(Stream inner, CipherState send, CipherState receive)
    {
        _inner = inner;
        _send = send;
        _receive = receive;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_plainCount == 0)
        {
            if (!await ReadFrameAsync(cancellationToken).ConfigureAwait(false))
            {
                return 0;
            }
        }

        int n = Math.Min(buffer.Length, _plainCount);
        _plain.AsMemory(_plainOffset, n).CopyTo(buffer);
        _plainOffset += n;
        _plainCount -= n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // Encrypt every chunk into one contiguous buffer so a large write is one socket write.
        int frames = (buffer.Length + MaxPlaintext - 1) / MaxPlaintext;
        int total = buffer.Length + frames * (2 + CipherState.TagLength);
        var output = ArrayPool<byte>.Shared.Rent(Math.Max(total, 1));
        try
        {
            int written = 0;
            for (int offset = 0; offset < buffer.Length; offset += MaxPlaintext)
            {
                var chunk = buffer.Span.Slice(offset, Math.Min(MaxPlaintext, buffer.Length - offset));
                int n = _send.EncryptWithAd([], chunk, output.AsSpan(written + 2));
                BinaryPrimitives.WriteUInt16BigEndian(output.AsSpan(written), (ushort)n);
                written += 2 + n;
            }

            await _inner.WriteAsync(output.AsMemory(0, written), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(output);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    public override void Flush() => _inner.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _send.Dispose();
            _receive.Dispose();
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private async ValueTask<bool> ReadFrameAsync(CancellationToken cancellationToken)
    {
        int got = await ReadAtLeastOrEndAsync(_frame.AsMemory(0, 2), cancellationToken).ConfigureAwait(false);
        if (got == 0)
        {
            return false;
        }

        if (got < 2)
        {
            throw new Libp2pException(Libp2pErrorReason.ConnectionClosed, "The connection closed inside a Noise frame header.");
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(_frame);
        if (length < CipherState.TagLength)
        {
            throw new Libp2pException(Libp2pErrorReason.MalformedMessage, $"Noise frame of {length} bytes is shorter than its tag.");
        }

        if (await ReadAtLeastOrEndAsync(_frame.AsMemory(0, length), cancellationToken).ConfigureAwait(false) < length)
        {
            throw new Libp2pException(Libp2pErrorReason.ConnectionClosed, "The connection closed inside a Noise frame.");
        }

        try
        {
            _plainCount = _receive.DecryptWithAd([], _frame.AsSpan(0, length), _plain);
        }
        catch (Libp2pException e) when (e.Reason == Libp2pErrorReason.NoiseHandshakeFailed)
        {
            // After the handshake a bad tag means tampering or desynchronisation, not a failed handshake.
            throw new Libp2pException(Libp2pErrorReason.MalformedMessage, "A Noise transport message failed authentication.", e);
        }

        _plainOffset = 0;
        return true;
    }

    private async ValueTask<int> ReadAtLeastOrEndAsync(Memory<byte> buffer, CancellationToken cancellationToken) =>
        await _inner.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
}
