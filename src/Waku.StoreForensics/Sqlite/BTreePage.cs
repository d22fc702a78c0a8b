using System.Buffers.Binary;

namespace Waku.StoreForensics.Sqlite;

/// <summary>The four b-tree page types (fileformat2 §1.6). WITHOUT ROWID tables are index b-trees.</summary>
public enum BTreePageType : byte
{
    /// <summary>Not a b-tree page.</summary>
    None = 0,
    /// <summary>Interior page of an index (or WITHOUT ROWID table) b-tree: cells hold records.</summary>
    InteriorIndex = 2,
    /// <summary>Interior page of a rowid table b-tree: cells hold only keys.</summary>
    InteriorTable = 5,
    /// <summary>Leaf page of an index (or WITHOUT ROWID table) b-tree.</summary>
    LeafIndex = 10,
    /// <summary>Leaf page of a rowid table b-tree.</summary>
    LeafTable = 13,
}

/// <summary>One decoded cell of a b-tree page.</summary>
/// <param name="Offset">Byte offset of the cell within the page.</param>
/// <param name="Size">Bytes the cell occupies on the page (local payload and overflow pointer included).</param>
/// <param name="LeftChild">Left child page (interior pages), else 0.</param>
/// <param name="Rowid">The rowid (table b-trees), else 0.</param>
/// <param name="PayloadSize">Total payload size (0 on table interior pages).</param>
/// <param name="LocalPayloadOffset">Offset of the payload bytes stored on this page.</param>
/// <param name="LocalPayloadSize">Payload bytes stored on this page.</param>
/// <param name="FirstOverflowPage">First overflow page, 0 when the payload fits on the page.</param>
public readonly record struct BTreeCell(
    int Offset,
    int Size,
    uint LeftChild,
    long Rowid,
    long PayloadSize,
    int LocalPayloadOffset,
    int LocalPayloadSize,
    uint FirstOverflowPage);

/// <summary>A free block inside a b-tree page (fileformat2 §1.6).</summary>
/// <param name="Offset">Offset within the page.</param>
/// <param name="Size">Size of the block in bytes, header included.</param>
public readonly record struct Freeblock(int Offset, int Size);

/// <summary>Decoded b-tree page header (fileformat2 §1.6).</summary>
internal readonly struct BTreeHeader
{
    public BTreePageType Type { get; init; }
    public int HeaderOffset { get; init; }
    public int FirstFreeblock { get; init; }
    public int CellCount { get; init; }
    public int ContentStart { get; init; }
    public int FragmentedBytes { get; init; }
    public uint RightMostPointer { get; init; }

    public bool IsLeaf => Type is BTreePageType.LeafIndex or BTreePageType.LeafTable;
    public bool IsTable => Type is BTreePageType.LeafTable or BTreePageType.InteriorTable;
    public int HeaderSize => IsLeaf ? 8 : 12;
    public int CellPointerOffset => HeaderOffset + HeaderSize;

    public static bool IsBTreeType(byte type) => type is 2 or 5 or 10 or 13;

    /// <summary>
    /// Parses the header; clamps an absurd cell count to what fits and reports it. Returns false when the
    /// page-type byte is not a b-tree type.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> page, uint pageNumber, int usableSize, List<SqliteFinding>? findings, out BTreeHeader header)
    {
        int hdr = pageNumber == 1 ? DatabaseHeader.Length : 0;
        header = default;
        byte type = page[hdr];
        if (!IsBTreeType(type))
        {
            return false;
        }

        int cellCount = BinaryPrimitives.ReadUInt16BigEndian(page[(hdr + 3)..]);
        int contentStart = BinaryPrimitives.ReadUInt16BigEndian(page[(hdr + 5)..]);
        header = new BTreeHeader
        {
            Type = (BTreePageType)type,
            HeaderOffset = hdr,
            FirstFreeblock = BinaryPrimitives.ReadUInt16BigEndian(page[(hdr + 1)..]),
            CellCount = cellCount,
            ContentStart = contentStart == 0 ? 65536 : contentStart,
            FragmentedBytes = page[hdr + 7],
            RightMostPointer = type is 2 or 5 ? BinaryPrimitives.ReadUInt32BigEndian(page[(hdr + 8)..]) : 0,
        };

        // Each cell needs a 2-byte pointer and at least 2 bytes of body (a table interior cell is 5).
        int maxCells = (usableSize - header.CellPointerOffset) / 4;
        if (cellCount > maxCells)
        {
            findings?.Add(new SqliteFinding(SqliteFindingKind.CellCountAbsurd, SqliteFindingSeverity.Error, pageNumber, hdr + 3,
                $"cell count {cellCount} cannot fit in a {usableSize}-byte page (at most {maxCells}); reading {maxCells}"));
            header = header with { CellCount = maxCells };
        }

        return true;
    }
}

/// <summary>Stateless decoders for cells and local payload sizes.</summary>
internal static class CellDecoder
{
    /// <summary>Bytes of payload stored on the page itself (fileformat2 §1.6, "payload overflow").</summary>
    public static int LocalPayloadSize(long payloadSize, int usableSize, bool tableLeaf)
    {
        int maxLocal = tableLeaf ? usableSize - 35 : ((usableSize - 12) * 64 / 255) - 23;
        if (payloadSize <= maxLocal)
        {
            return (int)payloadSize;
        }

        int minLocal = ((usableSize - 12) * 32 / 255) - 23;
        long k = minLocal + ((payloadSize - minLocal) % (usableSize - 4));
        return k <= maxLocal ? (int)k : minLocal;
    }

    /// <summary>Decodes the cell at <paramref name="offset"/>; false with a reason when it does not fit in the page.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> page, BTreePageType type, int offset, int usableSize, out BTreeCell cell, out string? error)
    {
        cell = default;
        if (offset < 0 || offset >= usableSize)
        {
            error = $"cell offset {offset} is outside the usable page ({usableSize} bytes)";
            return false;
        }

        var usable = page[..usableSize];
        int pos = offset;
        uint leftChild = 0;
        if (type is BTreePageType.InteriorIndex or BTreePageType.InteriorTable)
        {
            if (pos + 4 > usableSize)
            {
                error = "left-child pointer runs past the page end";
                return false;
            }

            leftChild = BinaryPrimitives.ReadUInt32BigEndian(usable[pos..]);
            pos += 4;
        }

        long rowid = 0;
        long payloadSize = 0;
        if (type == BTreePageType.InteriorTable)
        {
            if (!Varint.TryRead(usable[pos..], out rowid, out int n))
            {
                error = "rowid varint runs past the page end";
                return false;
            }

            cell = new BTreeCell(offset, pos + n - offset, leftChild, rowid, 0, pos + n, 0, 0);
            error = null;
            return true;
        }

        if (!Varint.TryRead(usable[pos..], out payloadSize, out int used))
        {
            error = "payload size varint runs past the page end";
            return false;
        }

        pos += used;
        if (payloadSize < 0)
        {
            error = $"negative payload size {payloadSize}";
            return false;
        }

        if (type == BTreePageType.LeafTable)
        {
            if (!Varint.TryRead(usable[pos..], out rowid, out used))
            {
                error = "rowid varint runs past the page end";
                return false;
            }

            pos += used;
        }

        int local = LocalPayloadSize(payloadSize, usableSize, type == BTreePageType.LeafTable);
        bool spills = local < payloadSize;
        int end = pos + local + (spills ? 4 : 0);
        if (end > usableSize)
        {
            error = $"cell body ends at {end}, past the usable page end {usableSize}";
            return false;
        }

        uint overflow = spills ? BinaryPrimitives.ReadUInt32BigEndian(usable[(pos + local)..]) : 0;
        // A cell is never smaller than 4 bytes on the page: SQLite pads tiny cells (fileformat2 §1.6).
        cell = new BTreeCell(offset, Math.Max(4, end - offset), leftChild, rowid, payloadSize, pos, local, overflow);
        error = null;
        return true;
    }

    /// <summary>Offset of the cell at <paramref name="index"/> from the cell pointer array.</summary>
    public static int CellOffset(ReadOnlySpan<byte> page, in BTreeHeader header, int index) =>
        BinaryPrimitives.ReadUInt16BigEndian(page[(header.CellPointerOffset + (2 * index))..]);
}

/// <summary>
/// A fully decoded b-tree page for inspection and carving: header, cell pointer array, cells, freeblock chain,
/// fragmented bytes, right-most pointer and the findings the page raised.
/// </summary>
public sealed class BTreePage
{
    private BTreePage() { }

    /// <summary>Page number.</summary>
    public uint PageNumber { get; private init; }
    /// <summary>Page type.</summary>
    public BTreePageType Type { get; private init; }
    /// <summary>Offset of the b-tree header (100 on page 1, else 0).</summary>
    public int HeaderOffset { get; private init; }
    /// <summary>Offset of the first freeblock, 0 when none.</summary>
    public int FirstFreeblock { get; private init; }
    /// <summary>Start of the cell content area.</summary>
    public int CellContentStart { get; private init; }
    /// <summary>Fragmented free bytes counted by the header.</summary>
    public int FragmentedBytes { get; private init; }
    /// <summary>Right-most child page (interior pages), else 0.</summary>
    public uint RightMostPointer { get; private init; }
    /// <summary>Cell offsets from the cell pointer array, in key order.</summary>
    public IReadOnlyList<int> CellPointers { get; private init; } = [];
    /// <summary>Cells that decoded.</summary>
    public IReadOnlyList<BTreeCell> Cells { get; private init; } = [];
    /// <summary>The freeblock chain as far as it is valid.</summary>
    public IReadOnlyList<Freeblock> Freeblocks { get; private init; } = [];
    /// <summary>Unused bytes between the cell pointer array and the content area.</summary>
    public int UnallocatedBytes { get; private init; }
    /// <summary>Free bytes: unallocated gap, freeblocks and fragments.</summary>
    public int FreeBytes => UnallocatedBytes + Freeblocks.Sum(f => f.Size) + FragmentedBytes;
    /// <summary>True for leaf pages.</summary>
    public bool IsLeaf => Type is BTreePageType.LeafIndex or BTreePageType.LeafTable;
    /// <summary>True for table (rowid) b-tree pages.</summary>
    public bool IsTable => Type is BTreePageType.LeafTable or BTreePageType.InteriorTable;
    /// <summary>Damage found on this page.</summary>
    public IReadOnlyList<SqliteFinding> Findings { get; private init; } = [];

    /// <summary>Decodes <paramref name="page"/> as a b-tree page; null when its type byte is not a b-tree type.</summary>
    public static BTreePage? TryDecode(ReadOnlySpan<byte> page, uint pageNumber, int usableSize)
    {
        var findings = new List<SqliteFinding>();
        if (!BTreeHeader.TryParse(page, pageNumber, usableSize, findings, out var header))
        {
            return null;
        }

        int pointerEnd = header.CellPointerOffset + (2 * header.CellCount);
        var pointers = new int[header.CellCount];
        var cells = new List<BTreeCell>(header.CellCount);
        for (int i = 0; i < header.CellCount; i++)
        {
            int offset = CellDecoder.CellOffset(page, header, i);
            pointers[i] = offset;
            if (offset < pointerEnd || offset < header.ContentStart)
            {
                findings.Add(new SqliteFinding(SqliteFindingKind.CellOutOfBounds, SqliteFindingSeverity.Error, pageNumber, header.CellPointerOffset + (2 * i),
                    $"cell {i} points to {offset}, inside the header/pointer array or before the content area ({header.ContentStart})"));
                continue;
            }

            if (!CellDecoder.TryDecode(page, header.Type, offset, usableSize, out var cell, out string? error))
            {
                findings.Add(new SqliteFinding(SqliteFindingKind.CellOutOfBounds, SqliteFindingSeverity.Error, pageNumber, offset, $"cell {i}: {error}"));
                continue;
            }

            cells.Add(cell);
        }

        var freeblocks = ReadFreeblocks(page, pageNumber, header, usableSize, findings);
        int unallocated = Math.Max(0, Math.Min(header.ContentStart, usableSize) - pointerEnd);
        if (header.ContentStart < pointerEnd || header.ContentStart > usableSize && header.CellCount > 0)
        {
            findings.Add(new SqliteFinding(SqliteFindingKind.PageSpaceInconsistent, SqliteFindingSeverity.Error, pageNumber, header.HeaderOffset + 5,
                $"cell content area starts at {header.ContentStart}, outside {pointerEnd}..{usableSize}"));
        }

        if (header.FragmentedBytes > 60)
        {
            findings.Add(new SqliteFinding(SqliteFindingKind.PageSpaceInconsistent, SqliteFindingSeverity.Warning, pageNumber, header.HeaderOffset + 7,
                $"{header.FragmentedBytes} fragmented bytes (SQLite never lets this exceed 60)"));
        }

        return new BTreePage
        {
            PageNumber = pageNumber,
            Type = header.Type,
            HeaderOffset = header.HeaderOffset,
            FirstFreeblock = header.FirstFreeblock,
            CellContentStart = header.ContentStart,
            FragmentedBytes = header.FragmentedBytes,
            RightMostPointer = header.RightMostPointer,
            CellPointers = pointers,
            Cells = cells,
            Freeblocks = freeblocks,
            UnallocatedBytes = unallocated,
            Findings = findings,
        };
    }

    /// <summary>Walks the freeblock chain: ascending offsets, no overlap, inside the page (fileformat2 §1.6).</summary>
    internal static List<Freeblock> ReadFreeblocks(ReadOnlySpan<byte> page, uint pageNumber, in BTreeHeader header, int usableSize, List<SqliteFinding> findings)
    {
        var blocks = new List<Freeblock>();
        int next = header.FirstFreeblock;
        int minimum = header.CellPointerOffset + (2 * header.CellCount);
        while (next != 0)
        {
            if (next < minimum || next + 4 > usableSize)
            {
                findings.Add(new SqliteFinding(SqliteFindingKind.FreeblockChainInvalid, SqliteFindingSeverity.Error, pageNumber, next,
                    $"freeblock at {next} lies outside {minimum}..{usableSize} or overlaps the previous block"));
                break;
            }

            int size = BinaryPrimitives.ReadUInt16BigEndian(page[(next + 2)..]);
            if (size < 4 || next + size > usableSize)
            {
                findings.Add(new SqliteFinding(SqliteFindingKind.FreeblockChainInvalid, SqliteFindingSeverity.Error, pageNumber, next,
                    $"freeblock at {next} has size {size}, past the page end or below 4"));
                break;
            }

            blocks.Add(new Freeblock(next, size));
            minimum = next + size;
            next = BinaryPrimitives.ReadUInt16BigEndian(page[next..]);
        }

        return blocks;
    }
}
