using System.Buffers;
using System.Buffers.Binary;

namespace Waku.StoreForensics.Sqlite;

/// <summary>Told about every page a traversal reaches, with its parent (for the page map and pointer-map checks).</summary>
internal interface IPageObserver
{
    void OnBTreePage(uint page, uint parent, BTreeHeader header, ReadOnlySpan<byte> data, PageOrigin origin);
    // usedBytes: payload bytes the page holds; the rest of it is stale content.
    void OnOverflowPage(uint page, uint parent, bool first, int usedBytes);
}

/// <summary>One cell reached by a traversal. Reused between yields: copy what must outlive the next step.</summary>
internal sealed class CellEntry
{
    public uint Page;
    public PageOrigin Origin;
    public BTreeCell Cell;
    public byte[] Payload = [];
    public int PayloadLength;
    public bool Complete;
    public readonly List<long> SerialTypes = new();
}

public sealed partial class SqliteDatabase
{
    private sealed class Frame
    {
        public required byte[] Buffer;
        public uint Page;
        public BTreeHeader Header;
        public PageOrigin Origin;
        public int NextCell;
        public bool LeftDone;
        public bool RightDone;
        public bool HasKey;
        public long LastKey;
    }

    /// <summary>
    /// Depth-first, in-order traversal of the b-tree rooted at <paramref name="root"/>: for index b-trees the
    /// records of interior cells are yielded between their left subtree and the next (WITHOUT ROWID rows live
    /// there too). Loops, bad child pointers, absurd cells and broken overflow chains become findings.
    /// </summary>
    internal IEnumerable<CellEntry> Walk(uint root, bool expectTable, IPageObserver? observer)
    {
        var visited = new PageSet(Math.Max(MaxPage, FilePageCount));
        var stack = new List<Frame>();
        var entry = new CellEntry { Payload = ArrayPool<byte>.Shared.Rent(PageSize) };
        var overflow = ArrayPool<byte>.Shared.Rent(PageSize);
        try
        {
            if (TryPush(stack, root, 0, expectTable, visited, observer))
            {
                while (stack.Count > 0)
                {
                    var f = stack[^1];
                    if (f.Header.IsLeaf)
                    {
                        if (f.NextCell >= f.Header.CellCount)
                        {
                            Pop(stack);
                            continue;
                        }

                        int index = f.NextCell++;
                        if (TryCell(f, index, out var cell) && CheckKeyOrder(f, cell) && FillEntry(entry, f, cell, ref overflow, observer))
                        {
                            yield return entry;
                        }

                        continue;
                    }

                    if (f.NextCell < f.Header.CellCount)
                    {
                        if (!TryCell(f, f.NextCell, out var cell))
                        {
                            f.NextCell++;
                            continue;
                        }

                        if (!f.LeftDone)
                        {
                            CheckKeyOrder(f, cell);
                            f.LeftDone = true;
                            TryPush(stack, cell.LeftChild, f.Page, expectTable, visited, observer);
                            continue;
                        }

                        f.NextCell++;
                        f.LeftDone = false;
                        if (!f.Header.IsTable && FillEntry(entry, f, cell, ref overflow, observer))
                        {
                            yield return entry;
                        }

                        continue;
                    }

                    if (!f.RightDone)
                    {
                        f.RightDone = true;
                        TryPush(stack, f.Header.RightMostPointer, f.Page, expectTable, visited, observer);
                        continue;
                    }

                    Pop(stack);
                }
            }
        }
        finally
        {
            foreach (var f in stack)
            {
                ArrayPool<byte>.Shared.Return(f.Buffer);
            }

            ArrayPool<byte>.Shared.Return(entry.Payload);
            ArrayPool<byte>.Shared.Return(overflow);
        }
    }

    private static void Pop(List<Frame> stack)
    {
        ArrayPool<byte>.Shared.Return(stack[^1].Buffer);
        stack.RemoveAt(stack.Count - 1);
    }

    private bool TryPush(List<Frame> stack, uint page, uint parent, bool expectTable, PageSet visited, IPageObserver? observer)
    {
        int parentOffset = 0;
        if (page == 0 || page > MaxPage)
        {
            Report(new SqliteFinding(SqliteFindingKind.PageNumberOutOfRange, SqliteFindingSeverity.Error, parent, parentOffset,
                $"child page {page} is outside the database (1..{MaxPage}); its subtree is lost to traversal"));
            return false;
        }

        if (!visited.Add(page))
        {
            Report(new SqliteFinding(SqliteFindingKind.BTreeCycle, SqliteFindingSeverity.Error, page, 0,
                $"page {page} reached a second time (from page {parent}): the b-tree loops or pages share a child"));
            return false;
        }

        if (stack.Count >= MaxDepth)
        {
            Report(new SqliteFinding(SqliteFindingKind.BTreeTooDeep, SqliteFindingSeverity.Error, page, 0, $"b-tree deeper than {MaxDepth} levels; not descending"));
            return false;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(PageSize);
        var origin = _pages.Read(page, buffer);
        var data = buffer.AsSpan(0, PageSize);
        if (origin.BytesRead < PageSize)
        {
            Report(new SqliteFinding(SqliteFindingKind.FileTruncated, SqliteFindingSeverity.Error, page, origin.BytesRead,
                $"page {page} is missing {PageSize - origin.BytesRead} bytes: the file ends at {FileLength}"));
        }

        var pageFindings = new List<SqliteFinding>();
        if (!BTreeHeader.TryParse(data, page, UsableSize, pageFindings, out var header) || header.IsTable != expectTable)
        {
            int hdr = page == 1 ? DatabaseHeader.Length : 0;
            Report(new SqliteFinding(SqliteFindingKind.PageTypeInvalid, SqliteFindingSeverity.Error, page, hdr,
                $"page {page} (child of {parent}) has type byte {data[hdr]}, expected a {(expectTable ? "table" : "index")} b-tree page"));
            ArrayPool<byte>.Shared.Return(buffer);
            return false;
        }

        foreach (var finding in pageFindings)
        {
            Report(finding);
        }

        observer?.OnBTreePage(page, parent, header, data, origin);
        stack.Add(new Frame { Buffer = buffer, Page = page, Header = header, Origin = origin });
        return true;
    }

    private bool TryCell(Frame f, int index, out BTreeCell cell)
    {
        var data = f.Buffer.AsSpan(0, PageSize);
        int pointer = f.Header.CellPointerOffset + (2 * index);
        int offset = CellDecoder.CellOffset(data, f.Header, index);
        int pointerEnd = f.Header.CellPointerOffset + (2 * f.Header.CellCount);
        string? error = null;
        cell = default;
        bool ok = offset >= pointerEnd && CellDecoder.TryDecode(data, f.Header.Type, offset, UsableSize, out cell, out error);
        if (!ok)
        {
            cell = default;
            Report(new SqliteFinding(SqliteFindingKind.CellOutOfBounds, SqliteFindingSeverity.Error, f.Page, pointer,
                $"cell {index} at offset {offset}: {error ?? "points into the page header or cell pointer array"}"));
            return false;
        }

        return true;
    }

    /// <summary>Rowids strictly increase across a table b-tree page (fileformat2 §1.6). Always true: order damage is a finding only.</summary>
    private bool CheckKeyOrder(Frame f, in BTreeCell cell)
    {
        if (!f.Header.IsTable)
        {
            return true;
        }

        if (f.HasKey && cell.Rowid <= f.LastKey)
        {
            Report(new SqliteFinding(SqliteFindingKind.KeyOrderViolation, SqliteFindingSeverity.Error, f.Page, cell.Offset,
                $"rowid {cell.Rowid} follows {f.LastKey}: keys out of order"));
        }

        f.HasKey = true;
        f.LastKey = cell.Rowid;
        return true;
    }

    /// <summary>Assembles the cell's payload (local part plus overflow chain) into the entry's buffer.</summary>
    private bool FillEntry(CellEntry entry, Frame f, in BTreeCell cell, ref byte[] overflow, IPageObserver? observer)
    {
        entry.Page = f.Page;
        entry.Origin = f.Origin;
        entry.Cell = cell;
        entry.Complete = AssemblePayload(f.Buffer.AsSpan(0, PageSize), f.Page, cell, ref entry.Payload, ref overflow, observer, report: true, out entry.PayloadLength);
        return true;
    }

    /// <summary>
    /// Copies the payload of <paramref name="cell"/> into <paramref name="payload"/> (grown from the pool as
    /// needed, bounded by what the file could hold). False, with a finding, when the chain is broken or loops;
    /// <paramref name="length"/> then counts the bytes that were recovered.
    /// </summary>
    internal bool AssemblePayload(ReadOnlySpan<byte> page, uint pageNumber, in BTreeCell cell, ref byte[] payload, ref byte[] overflow, IPageObserver? observer, bool report, out int length, int asOfWalFrame = -1)
    {
        length = 0;
        int overflowCapacity = UsableSize - 4;
        long remote = cell.PayloadSize - cell.LocalPayloadSize;
        // A cell of a WAL frame may spill into pages its own (perhaps uncommitted) transaction added.
        uint lastPage = Math.Max(Math.Max(MaxPage, FilePageCount), asOfWalFrame >= 0 ? Wal?.MaxPageNumber ?? 0 : 0);
        long maxRemote = (long)lastPage * overflowCapacity;
        if (remote > maxRemote || cell.PayloadSize > Array.MaxLength)
        {
            ReportIf(report, new SqliteFinding(SqliteFindingKind.PayloadSizeImplausible, SqliteFindingSeverity.Error, pageNumber, cell.Offset,
                $"payload size {cell.PayloadSize} exceeds what a {Math.Max(MaxPage, FilePageCount)}-page file can hold"));
            return false;
        }

        // The buffer grows with the bytes really read, not with the size a (possibly lying) cell claims.
        Grow(ref payload, cell.LocalPayloadSize);
        page.Slice(cell.LocalPayloadOffset, cell.LocalPayloadSize).CopyTo(payload);
        length = cell.LocalPayloadSize;
        if (remote == 0)
        {
            return true;
        }

        // A chain needs exactly this many pages; counting them bounds the walk even through a loop.
        long needed = (remote + overflowCapacity - 1) / overflowCapacity;
        uint next = cell.FirstOverflowPage;
        uint previous = pageNumber;
        HashSet<uint>? seen = needed > 1 ? new HashSet<uint>() : null;
        for (long n = 0; n < needed; n++)
        {
            if (next == 0 || next > lastPage)
            {
                ReportIf(report, new SqliteFinding(SqliteFindingKind.OverflowChainBroken, SqliteFindingSeverity.Error, previous, n == 0 ? cell.Offset : 0,
                    $"overflow chain of the cell at page {pageNumber}+{cell.Offset} points to page {next} after {n} of {needed} pages; {remote - (length - cell.LocalPayloadSize)} payload bytes lost"));
                return false;
            }

            if (seen is not null && !seen.Add(next))
            {
                ReportIf(report, new SqliteFinding(SqliteFindingKind.OverflowChainCycle, SqliteFindingSeverity.Error, next, 0,
                    $"overflow chain of the cell at page {pageNumber}+{cell.Offset} revisits page {next}"));
                return false;
            }

            var origin = asOfWalFrame >= 0 && Wal?.FindFrameAsOf(next, asOfWalFrame) is { } frame
                ? ReadWalFrame(frame, overflow)
                : _pages.Read(next, overflow);
            if (origin.BytesRead < PageSize)
            {
                ReportIf(report, new SqliteFinding(SqliteFindingKind.OverflowChainBroken, SqliteFindingSeverity.Error, next, origin.BytesRead,
                    $"overflow page {next} is cut short by the end of the file"));
                return false;
            }

            int take = (int)Math.Min(overflowCapacity, cell.PayloadSize - length);
            observer?.OnOverflowPage(next, previous, n == 0, take);
            Grow(ref payload, Math.Min(cell.PayloadSize, Math.Max((long)length + take, 2L * payload.Length)));
            overflow.AsSpan(4, take).CopyTo(payload.AsSpan(length));
            length += take;
            previous = next;
            next = BinaryPrimitives.ReadUInt32BigEndian(overflow);
        }

        return true;
    }

    private void ReportIf(bool report, SqliteFinding finding)
    {
        if (report)
        {
            Report(finding);
        }
    }

    private static void Grow(ref byte[] buffer, long needed)
    {
        if (buffer.Length >= needed)
        {
            return;
        }

        var larger = ArrayPool<byte>.Shared.Rent((int)needed);
        buffer.AsSpan().CopyTo(larger);
        ArrayPool<byte>.Shared.Return(buffer);
        buffer = larger;
    }

    private PageOrigin ReadWalFrame(Wal.WalFrame frame, byte[] destination)
    {
        Wal!.ReadFrame(frame, destination);
        return new PageOrigin(frame.Index, false, PageSize);
    }
}
