using Waku.StoreForensics.Net.Multiformats;

namespace Waku.StoreForensics.Net;

/// <summary>uvarint-length-prefixed messages, the framing identify, metadata and the Waku protocols use.</summary>
internal static class LengthPrefixed
{
    /// <summary>Reads one message; null at a clean end of stream. Throws when it exceeds <paramref name="maxLength"/>.</summary>
    public static async Task<byte[]?> ReadAsync(Stream stream, int maxLength, CancellationToken cancellationToken)
    {
        ulong? length = await UVarint.ReadAsync(stream, cancellationToken).ConfigureAwait(false);
        if (length is null)
        {
            return null;
        }

        if (length > (ulong)maxLength)
        {
            throw new Libp2pException(Libp2pErrorReason.MessageTooLarge, $"Message of {length} bytes exceeds the {maxLength}-byte limit.");
        }

        var buffer = new byte[(int)length];
        try
        {
            await stream.ReadExactlyAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (EndOfStreamException e)
        {
            throw new Libp2pException(Libp2pErrorReason.ConnectionClosed, "The stream ended inside a message.", e);
        }

        return buffer;
    }

    public static async Task WriteAsync(Stream stream, ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        var frame = new byte[UVarint.GetLength((ulong)message.Length) + message.Length];
        int n = UVarint.Write(frame, (ulong)message.Length);
        message.CopyTo(frame.AsMemory(n));
        await stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
    }
}
