using System.Buffers.Binary;
using System.Text;

namespace Waku.StoreForensics.Sqlite;

/// <summary>Decodes SQLite records (fileformat2 §2.1): a header of serial types, then the values.</summary>
public static class RecordDecoder
{
    /// <summary>Bytes of content a serial type occupies, or -1 for the reserved types 10 and 11.</summary>
    public static long ContentSize(long serialType) => serialType switch
    {
        0 or 8 or 9 => 0,
        1 => 1,
        2 => 2,
        3 => 3,
        4 => 4,
        5 => 6,
        6 or 7 => 8,
        10 or 11 => -1,
        < 0 => -1,
        _ => (serialType - 12) / 2,
    };

    /// <summary>
    /// Reads the serial types of the record in <paramref name="payload"/> into <paramref name="serialTypes"/>.
    /// Returns false with a reason when the header is malformed or the body it describes does not fit.
    /// </summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> payload, List<long> serialTypes, out int bodyOffset, out string? error) =>
        TryReadHeader(payload, payload.Length, serialTypes, out bodyOffset, out error);

    /// <summary>
    /// Reads the serial types from the first bytes of a record whose full length is <paramref name="payloadLength"/>
    /// (the local part of a cell whose payload overflows holds the header but not the whole body).
    /// </summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> payload, long payloadLength, List<long> serialTypes, out int bodyOffset, out string? error)
    {
        ArgumentNullException.ThrowIfNull(serialTypes);
        serialTypes.Clear();
        bodyOffset = 0;
        if (!Varint.TryRead(payload, out long headerSize, out int n))
        {
            error = "record header size varint is truncated";
            return false;
        }

        if (headerSize < n || headerSize > payload.Length)
        {
            error = $"record header size {headerSize} is outside the {payload.Length}-byte payload";
            return false;
        }

        int pos = n;
        long bodySize = 0;
        while (pos < headerSize)
        {
            if (!Varint.TryRead(payload[pos..(int)headerSize], out long serialType, out int used))
            {
                error = $"serial type at record offset {pos} runs past the header";
                return false;
            }

            long size = ContentSize(serialType);
            if (size < 0)
            {
                error = $"reserved serial type {serialType} at record offset {pos}";
                return false;
            }

            serialTypes.Add(serialType);
            bodySize += size;
            pos += used;
        }

        if (headerSize + bodySize != payloadLength)
        {
            error = $"record header describes {headerSize + bodySize} bytes but the payload holds {payloadLength}";
            return false;
        }

        bodyOffset = (int)headerSize;
        error = null;
        return true;
    }

    /// <summary>
    /// Decodes every value of a record: null, <see cref="long"/>, <see cref="double"/>, <see cref="string"/> or
    /// <see cref="T:byte[]"/>. Returns false with a reason when the record is malformed.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> payload, TextEncoding encoding, List<long> serialTypes, out object?[] values, out string? error)
    {
        if (!TryReadHeader(payload, serialTypes, out int pos, out error))
        {
            values = [];
            return false;
        }

        values = new object?[serialTypes.Count];
        for (int i = 0; i < serialTypes.Count; i++)
        {
            long type = serialTypes[i];
            int size = (int)ContentSize(type);
            values[i] = DecodeValue(payload.Slice(pos, size), type, encoding);
            pos += size;
        }

        return true;
    }

    /// <summary>Decodes one value whose content bytes are <paramref name="content"/>.</summary>
    public static object? DecodeValue(ReadOnlySpan<byte> content, long serialType, TextEncoding encoding) => serialType switch
    {
        0 => null,
        1 => (long)(sbyte)content[0],
        2 => (long)BinaryPrimitives.ReadInt16BigEndian(content),
        3 => (long)(((sbyte)content[0] << 16) | (content[1] << 8) | content[2]),
        4 => (long)BinaryPrimitives.ReadInt32BigEndian(content),
        5 => ((long)BinaryPrimitives.ReadInt16BigEndian(content) << 32) | BinaryPrimitives.ReadUInt32BigEndian(content[2..]),
        6 => BinaryPrimitives.ReadInt64BigEndian(content),
        7 => BinaryPrimitives.ReadDoubleBigEndian(content),
        8 => 0L,
        9 => 1L,
        _ when (serialType & 1) == 0 => content.ToArray(),
        _ => DecodeText(content, encoding),
    };

    private static string DecodeText(ReadOnlySpan<byte> content, TextEncoding encoding) => encoding switch
    {
        TextEncoding.Utf16le => Encoding.Unicode.GetString(content),
        TextEncoding.Utf16be => Encoding.BigEndianUnicode.GetString(content),
        _ => Encoding.UTF8.GetString(content),
    };
}
