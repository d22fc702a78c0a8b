namespace Waku.StoreForensics.PeerExchange;

/// <summary>One RLP item located in a buffer: its header and payload bounds.</summary>
/// <param name="IsList">True for a list, false for a byte string.</param>
/// <param name="Offset">Offset of the item's first header byte.</param>
/// <param name="HeaderLength">Bytes of header (0 for a single byte below 0x80, which is its own payload).</param>
/// <param name="PayloadLength">Bytes of payload.</param>
internal readonly record struct RlpItem(bool IsList, int Offset, int HeaderLength, int PayloadLength)
{
    public int PayloadOffset => Offset + HeaderLength;

    public int End => Offset + HeaderLength + PayloadLength;
}

/// <summary>
/// A bounded, canonical RLP decoder (Ethereum Yellow Paper appendix B; the encoding EIP-778 records use).
/// Stateless span readers that return false with an error kind and offset on bad input and never throw on data:
/// a declared length past the input or past the enclosing list, a length not in its shortest form, a single
/// byte below 0x80 wrapped in a header, bytes after the top-level item, and nesting past <see cref="MaxDepth"/>.
/// </summary>
internal static class Rlp
{
    /// <summary>Deepest list nesting accepted (an ENR is a list of strings; a few keys hold one nested list).</summary>
    public const int MaxDepth = 8;

    /// <summary>Reads the header of the item at <paramref name="offset"/>; its payload must lie within <paramref name="limit"/>.</summary>
    public static bool TryReadItem(ReadOnlySpan<byte> input, int offset, int limit, out RlpItem item, out EnrErrorKind error, out int errorOffset)
    {
        item = default;
        error = default;
        errorOffset = offset;
        if (offset >= limit)
        {
            error = EnrErrorKind.RlpLengthExceedsInput;
            return false;
        }

        byte b = input[offset];
        if (b < 0x80)
        {
            item = new RlpItem(false, offset, 0, 1);
            return true;
        }

        bool isList = b >= 0xc0;
        int shortBase = isList ? 0xc0 : 0x80;
        int longBase = isList ? 0xf7 : 0xb7;
        long length;
        int headerLength;
        if (b <= longBase)
        {
            length = b - shortBase;
            headerLength = 1;
            // Yellow Paper: a single byte below 0x80 is its own encoding; 0x81 0x00..0x7f is not canonical.
            if (!isList && length == 1 && offset + 1 < limit && input[offset + 1] < 0x80)
            {
                error = EnrErrorKind.RlpNonCanonical;
                return false;
            }
        }
        else
        {
            int lengthOfLength = b - longBase;
            headerLength = 1 + lengthOfLength;
            if (offset + headerLength > limit)
            {
                error = EnrErrorKind.RlpLengthExceedsInput;
                return false;
            }

            if (input[offset + 1] == 0)
            {
                error = EnrErrorKind.RlpNonCanonical; // length with a leading zero byte
                return false;
            }

            if (lengthOfLength > 4)
            {
                error = EnrErrorKind.RlpLengthExceedsInput; // ≥ 4 GiB: larger than any buffer we hold
                return false;
            }

            length = 0;
            for (int i = 0; i < lengthOfLength; i++)
            {
                length = (length << 8) | input[offset + 1 + i];
            }

            if (length <= 55)
            {
                error = EnrErrorKind.RlpNonCanonical; // long form for a length the short form holds
                return false;
            }
        }

        if (length > limit - offset - headerLength)
        {
            error = EnrErrorKind.RlpLengthExceedsInput;
            return false;
        }

        item = new RlpItem(isList, offset, headerLength, (int)length);
        return true;
    }

    /// <summary>Reads exactly one top-level item spanning all of <paramref name="input"/>, checking nested lists too.</summary>
    public static bool TryReadSingle(ReadOnlySpan<byte> input, out RlpItem item, out EnrErrorKind error, out int errorOffset)
    {
        if (!TryReadItem(input, 0, input.Length, out item, out error, out errorOffset))
        {
            return false;
        }

        if (item.End != input.Length)
        {
            error = EnrErrorKind.RlpTrailingBytes;
            errorOffset = item.End;
            return false;
        }

        return !item.IsList || TryCheckList(input, item, 1, out error, out errorOffset);
    }

    /// <summary>Splits a list's payload into its items (not recursing: <see cref="TryReadSingle"/> checked them).</summary>
    public static bool TryReadChildren(ReadOnlySpan<byte> input, RlpItem list, List<RlpItem> children, out EnrErrorKind error, out int errorOffset)
    {
        error = default;
        errorOffset = 0;
        int position = list.PayloadOffset;
        while (position < list.End)
        {
            if (!TryReadItem(input, position, list.End, out var child, out error, out errorOffset))
            {
                return false;
            }

            children.Add(child);
            position = child.End;
        }

        return true;
    }

    /// <summary>Encodes the header of a list with <paramref name="payloadLength"/> bytes of payload.</summary>
    public static byte[] ListHeader(int payloadLength)
    {
        if (payloadLength <= 55)
        {
            return [(byte)(0xc0 + payloadLength)];
        }

        int bytes = payloadLength <= 0xff ? 1 : payloadLength <= 0xffff ? 2 : payloadLength <= 0xff_ffff ? 3 : 4;
        var header = new byte[1 + bytes];
        header[0] = (byte)(0xf7 + bytes);
        for (int i = 0; i < bytes; i++)
        {
            header[bytes - i] = (byte)(payloadLength >> (8 * i));
        }

        return header;
    }

    private static bool TryCheckList(ReadOnlySpan<byte> input, RlpItem list, int depth, out EnrErrorKind error, out int errorOffset)
    {
        error = default;
        errorOffset = 0;
        if (depth > MaxDepth)
        {
            error = EnrErrorKind.RlpTooDeep;
            errorOffset = list.Offset;
            return false;
        }

        int position = list.PayloadOffset;
        while (position < list.End)
        {
            if (!TryReadItem(input, position, list.End, out var child, out error, out errorOffset))
            {
                return false;
            }

            if (child.IsList && !TryCheckList(input, child, depth + 1, out error, out errorOffset))
            {
                return false;
            }

            position = child.End;
        }

        return true;
    }
}
