namespace Waku.StoreForensics.Net.Multiformats;

/// <summary>Unsigned LEB128 varint as multiformats/unsigned-varint defines it (at most 9 bytes, minimal).</summary>
internal static class UVarint
{
    /// <summary>Longest encoding multiformats allows (63 bits).</summary>
    public const int MaxLength = 9;

    public static int GetLength(ulong value)
    {
        int n = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            n++;
        }

        return n;
    }

    public static int Write(Span<byte> destination, ulong value)
    {
        int i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }

    public static byte[] Encode(ulong value)
    {
        var buffer = new byte[GetLength(value)];
        Write(buffer, value);
        return buffer;
    }

    /// <summary>Decodes one varint; false on short input, overlong or non-minimal encodings. Never throws.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out ulong value, out int consumed)
    {
        value = 0;
        consumed = 0;
        for (int i = 0; i < MaxLength && i < source.Length; i++)
        {
            byte b = source[i];
            value |= (ulong)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                // unsigned-varint: "minimal encoding" — a trailing zero byte after the first is invalid.
                if (b == 0 && i > 0)
                {
                    value = 0;
                    return false;
                }

                consumed = i + 1;
                return true;
            }
        }

        value = 0;
        return false;
    }

    /// <summary>Reads one varint from a stream a byte at a time so no byte of the next message is consumed.</summary>
    public static async ValueTask<ulong?> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var one = new byte[1];
        ulong value = 0;
        for (int i = 0; i < MaxLength; i++)
        {
            int n = await stream.ReadAsync(one, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                if (i == 0)
                {
                    return null;
                }

                throw new Libp2pException(Libp2pErrorReason.ConnectionClosed, "The stream ended inside a varint.");
            }

            byte b = one[0];
            value |= (ulong)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                if (b == 0 && i > 0)
                {
                    throw new Libp2pException(Libp2pErrorReason.MalformedMessage, "Non-minimal varint.");
                }

                return value;
            }
        }

        throw new Libp2pException(Libp2pErrorReason.MalformedMessage, "Varint longer than 9 bytes.");
    }
}
