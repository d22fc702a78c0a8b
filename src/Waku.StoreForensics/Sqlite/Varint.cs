namespace Waku.StoreForensics.Sqlite;

/// <summary>SQLite's big-endian variable-length integer (fileformat2 §1.6 "varint").</summary>
public static class Varint
{
    /// <summary>Largest number of bytes a SQLite varint occupies.</summary>
    public const int MaxLength = 9;

    /// <summary>
    /// Decodes one varint from the start of <paramref name="source"/>. Returns false when the span ends
    /// before the varint does; never throws on data.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out long value, out int consumed)
    {
        ulong v = 0;
        for (int i = 0; i < 8; i++)
        {
            if (i >= source.Length)
            {
                value = 0;
                consumed = 0;
                return false;
            }

            byte b = source[i];
            v = (v << 7) | (uint)(b & 0x7F);
            if ((b & 0x80) == 0)
            {
                value = (long)v;
                consumed = i + 1;
                return true;
            }
        }

        if (source.Length < MaxLength)
        {
            value = 0;
            consumed = 0;
            return false;
        }

        // The ninth byte contributes all eight of its bits.
        v = (v << 8) | source[8];
        value = (long)v;
        consumed = MaxLength;
        return true;
    }

    /// <summary>Number of bytes <see cref="Write"/> needs for <paramref name="value"/>.</summary>
    public static int GetLength(long value)
    {
        ulong v = (ulong)value;
        if ((v & 0xFF00_0000_0000_0000UL) != 0)
        {
            return MaxLength;
        }

        int n = 1;
        while ((v >>= 7) != 0)
        {
            n++;
        }

        return n;
    }

    /// <summary>Encodes <paramref name="value"/> into <paramref name="destination"/>; returns the bytes written.</summary>
    public static int Write(Span<byte> destination, long value)
    {
        ulong v = (ulong)value;
        int length = GetLength(value);
        if (destination.Length < length)
        {
            throw new ArgumentException("Destination too short for the varint.", nameof(destination));
        }

        if (length == MaxLength)
        {
            destination[8] = (byte)v;
            v >>= 8;
            for (int i = 7; i >= 0; i--)
            {
                destination[i] = (byte)((v & 0x7F) | 0x80);
                v >>= 7;
            }

            return MaxLength;
        }

        for (int i = length - 1; i >= 0; i--)
        {
            destination[i] = (byte)((v & 0x7F) | (i == length - 1 ? 0u : 0x80u));
            v >>= 7;
        }

        return length;
    }
}
