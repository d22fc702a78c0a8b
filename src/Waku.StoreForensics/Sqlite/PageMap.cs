using System.Buffers;
using System.Buffers.Binary;

namespace Waku.StoreForensics.Sqlite;

/// <summary>What a page is (fileformat2 §1.5).</summary>
public enum PageKind
{
    /// <summary>Interior page of a rowid table b-tree.</summary>
    TableInterior,
    /// <summary>Leaf page of a rowid table b-tree.</summary>
    TableLeaf,
    /// <summary>Interior page of an index or WITHOUT ROWID b-tree.</summary>
    IndexInterior,
    /// <summary>Leaf page of an index or WITHOUT ROWID b-tree.</summary>
    IndexLeaf,
    /// <summary>Overflow page holding spilled payload.</summary>
    Overflow,
    /// <summary>Freelist trunk page.</summary>
    FreelistTrunk,
    /// <summary>Freelist leaf page.</summary>
    FreelistLeaf,
    /// <summary>Pointer-map page of an auto-vacuum database.</summary>
    PointerMap,
    /// <summary>The page holding byte offset 2^30, never used for data.</summary>
    LockByte,
    /// <summary>Reached by nothing; <see cref="PageInfo.Reason"/> says what it looks like.</summary>
    Orphan,
    /// <summary>Part of the database, but past the end of a truncated file.</summary>
    Missing,
}

/// <summary>One page of the page map.</summary>
/// <param name="Page">Page number.</param>
/// <param name="Kind">What the page is.</param>
/// <param name="Owner">Table or index name, "freelist", or null.</param>
/// <param name="CellCount">Cells on a b-tree page, else 0.</param>
/// <param name="FreeBytes">Free bytes: on a b-tree page the gap, freeblocks and fragments; on an overflow page the
/// bytes after the payload it holds (stale content, carved for old cells).</param>
/// <param name="WalFrame">WAL frame the page image was read from, or -1.</param>
/// <param name="Reason">For orphans: what the bytes look like and why the page could not be classified.</param>
public sealed record PageInfo(uint Page, PageKind Kind, string? Owner, int CellCount, int FreeBytes, int WalFrame, string? Reason)
{
    /// <summary>Findings located on this page.</summary>
    public IReadOnlyList<SqliteFinding> Findings { get; init; } = [];
}

/// <summary>The freelist as found: trunk pages and leaf pages, in chain order.</summary>
/// <param name="TrunkPages">Trunk pages in chain order.</param>
/// <param name="LeafPages">Leaf pages in the order the trunks list them.</param>
public sealed record Freelist(IReadOnlyList<uint> TrunkPages, IReadOnlyList<uint> LeafPages)
{
    /// <summary>Total pages on the freelist (trunks and leaves).</summary>
    public int Count => TrunkPages.Count + LeafPages.Count;
}

/// <summary>A pointer-map entry (fileformat2 §1.7).</summary>
/// <param name="Page">Page the entry describes.</param>
/// <param name="Type">1 root, 2 free, 3 first overflow, 4 later overflow, 5 non-root b-tree page.</param>
/// <param name="Parent">Parent page (0 for roots and free pages).</param>
public readonly record struct PointerMapEntry(uint Page, byte Type, uint Parent);

public sealed partial class SqliteDatabase
{
    /// <summary>Walks the freelist trunk chain with loop and range checks; damage goes to <see cref="Findings"/>.</summary>
    public Freelist ReadFreelist()
    {
        var trunks = new List<uint>();
        var leaves = new List<uint>();
        var seen = new PageSet(Math.Max(MaxPage, FilePageCount));
        var buffer = ArrayPool<byte>.Shared.Rent(PageSize);
        try
        {
            uint trunk = Header.FirstFreelistTrunkPage;
            uint previous = 0;
            int maxLeaves = (UsableSize / 4) - 2;
            while (trunk != 0)
            {
                if (trunk > MaxPage)
                {
                    Report(new SqliteFinding(SqliteFindingKind.FreelistInvalid, SqliteFindingSeverity.Error, previous, previous == 0 ? 32 : 0,
                        $"freelist trunk pointer {trunk} is outside the database (1..{MaxPage})"));
                    break;
                }

                if (!seen.Add(trunk))
                {
                    Report(new SqliteFinding(SqliteFindingKind.FreelistInvalid, SqliteFindingSeverity.Error, trunk, 0, $"freelist trunk chain loops back to page {trunk}"));
                    break;
                }

                trunks.Add(trunk);
                _pages.Read(trunk, buffer);
                uint next = BinaryPrimitives.ReadUInt32BigEndian(buffer);
                uint count = BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(4));
                if (count > maxLeaves)
                {
                    Report(new SqliteFinding(SqliteFindingKind.FreelistInvalid, SqliteFindingSeverity.Error, trunk, 4,
                        $"freelist trunk lists {count} leaves, at most {maxLeaves} fit; reading {maxLeaves}"));
                    count = (uint)maxLeaves;
                }

                for (int i = 0; i < count; i++)
                {
                    uint leaf = BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(8 + (4 * i)));
                    if (leaf == 0 || leaf > MaxPage || !seen.Add(leaf))
                    {
                        Report(new SqliteFinding(SqliteFindingKind.FreelistInvalid, SqliteFindingSeverity.Error, trunk, 8 + (4 * i),
                            $"freelist leaf entry {leaf} is out of range or listed twice"));
                        continue;
                    }

                    leaves.Add(leaf);
                }

                previous = trunk;
                trunk = next;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        if (trunks.Count + leaves.Count != Header.FreelistPageCount)
        {
            Report(new SqliteFinding(SqliteFindingKind.FreelistCountMismatch, SqliteFindingSeverity.Error, 0, 36,
                $"header counts {Header.FreelistPageCount} freelist pages, the chain holds {trunks.Count + leaves.Count}"));
        }

        return new Freelist(trunks, leaves);
    }

    /// <summary>True when <paramref name="page"/> is a pointer-map page (auto-vacuum databases only).</summary>
    public bool IsPointerMapPage(uint page)
    {
        if (!Header.AutoVacuum || page < 2)
        {
            return false;
        }

        // fileformat2 §1.7: the first pointer map is page 2, then one every U/5 + 1 pages.
        int perMap = (UsableSize / 5) + 1;
        return (page - 2) % perMap == 0;
    }

    /// <summary>Reads the entries of pointer-map page <paramref name="mapPage"/>.</summary>
    public IReadOnlyList<PointerMapEntry> ReadPointerMap(uint mapPage)
    {
        if (!IsPointerMapPage(mapPage))
        {
            throw new ArgumentException($"Page {mapPage} is not a pointer-map page.", nameof(mapPage));
        }

        var entries = new List<PointerMapEntry>();
        var buffer = ArrayPool<byte>.Shared.Rent(PageSize);
        try
        {
            _pages.Read(mapPage, buffer);
            int perMap = UsableSize / 5;
            for (int i = 0; i < perMap; i++)
            {
                uint page = mapPage + 1 + (uint)i;
                if (page > MaxPage)
                {
                    break;
                }

                entries.Add(new PointerMapEntry(page, buffer[5 * i], BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan((5 * i) + 1))));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return entries;
    }

    /// <summary>
    /// Pages that can be read at all: the file's, and those the WAL adds. A WAL frame's page number is only trusted as
    /// far as there are frames (one garbled frame header must not make a file of 4 billion pages).
    /// </summary>
    internal uint ReadablePageCount =>
        (uint)Math.Max(FilePageCount, Math.Min(_pages.Wal?.MaxPageNumber ?? 0, (long)FilePageCount + (_pages.Wal?.Frames.Count ?? 0)));

    /// <summary>The page holding byte 2^30 (never used for data), or 0 when the database is smaller.</summary>
    public uint LockBytePage
    {
        get
        {
            uint page = (uint)(1073741824L / PageSize) + 1;
            return page <= Math.Max(MaxPage, FilePageCount) ? page : 0;
        }
    }

    /// <summary>
    /// Classifies every page: b-tree pages and their overflow chains (owner from the schema), freelist,
    /// pointer-map and lock-byte pages, and orphans with what they look like. Reports pages claimed twice and
    /// pointer-map disagreements as findings.
    /// </summary>
    public IReadOnlyList<PageInfo> MapPages(IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        // A damaged header can claim billions of pages: map every readable page, and past the end of the file at most
        // as many missing pages again (a store truncated to half its size is still mapped whole).
        uint readable = ReadablePageCount;
        uint total = (uint)Math.Min(Math.Max(MaxPage, readable), (2L * readable) + 1024);
        if (total < MaxPage)
        {
            Report(new SqliteFinding(SqliteFindingKind.FileTruncated, SqliteFindingSeverity.Error, 1, 28,
                $"the database claims {MaxPage} pages but only {readable} can be read; pages past {total} are not mapped"));
        }

        var map = new PageInfo?[total + 1];
        var parents = new Dictionary<uint, (uint Parent, byte Type)>();

        void Claim(PageInfo info, uint parent, byte pointerType)
        {
            if (info.Page == 0 || info.Page > total)
            {
                return;
            }

            if (map[info.Page] is { } existing)
            {
                Report(new SqliteFinding(SqliteFindingKind.PageClaimedTwice, SqliteFindingSeverity.Error, info.Page, 0,
                    $"page {info.Page} is both {existing.Kind} of {existing.Owner ?? "-"} and {info.Kind} of {info.Owner ?? "-"}"));
                return;
            }

            map[info.Page] = info;
            parents[info.Page] = (parent, pointerType);
        }

        var roots = new List<(uint Root, string Owner, bool Table)>();
        roots.Add((1, "sqlite_schema", true));
        foreach (var o in Schema.Where(o => o.RootPage != 0))
        {
            bool table = string.Equals(o.Type, "table", StringComparison.OrdinalIgnoreCase)
                && !(o.Sql is not null && TableDefinition.TryParse(o.Sql, out var def, out _) && def!.WithoutRowid);
            roots.Add((o.RootPage, o.Name, table));
        }

        int done = 0;
        foreach (var (root, owner, table) in roots)
        {
            var observer = new MapObserver(this, owner, root, Claim);
            foreach (var _ in Walk(root, table, observer))
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            progress?.Report(0.8 * ++done / roots.Count);
        }

        var freelist = ReadFreelist();
        foreach (uint trunk in freelist.TrunkPages)
        {
            Claim(new PageInfo(trunk, PageKind.FreelistTrunk, "freelist", 0, 0, -1, null), 0, 2);
        }

        foreach (uint leaf in freelist.LeafPages)
        {
            Claim(new PageInfo(leaf, PageKind.FreelistLeaf, "freelist", 0, 0, -1, null), 0, 2);
        }

        for (uint p = 2; Header.AutoVacuum && p <= total; p++)
        {
            if (IsPointerMapPage(p))
            {
                Claim(new PageInfo(p, PageKind.PointerMap, null, 0, 0, -1, null), 0, 0);
            }
        }

        if (LockBytePage != 0)
        {
            Claim(new PageInfo(LockBytePage, PageKind.LockByte, null, 0, 0, -1, null), 0, 0);
        }

        var buffer = ArrayPool<byte>.Shared.Rent(PageSize);
        try
        {
            ClaimOrphanedOverflowChains(map, total, buffer);
            for (uint p = 1; p <= total; p++)
            {
                if ((p & 4095) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                if (map[p] is null)
                {
                    var origin = _pages.Read(p, buffer);
                    if (origin.BytesRead == 0)
                    {
                        map[p] = new PageInfo(p, PageKind.Missing, null, 0, 0, -1, "past the end of the file (truncated)");
                        continue;
                    }

                    string reason = DescribeOrphan(buffer.AsSpan(0, PageSize), p, origin, out int cells, out int free);
                    map[p] = new PageInfo(p, PageKind.Orphan, null, cells, free, origin.WalFrame, reason);
                    if (p <= MaxPage)
                    {
                        Report(new SqliteFinding(SqliteFindingKind.OrphanPage, SqliteFindingSeverity.Warning, p, 0, $"page {p} is reached by nothing: {reason}"));
                    }
                }
            }

            if (Header.AutoVacuum)
            {
                CheckPointerMaps(map, parents);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        progress?.Report(1.0);
        var byPage = _findings.Where(f => f.Page != 0).ToLookup(f => f.Page);
        // Only pages with findings get a new record: copying all of them (a quarter million on a 1 GB store) is garbage.
        return map.Skip(1).Select(i => byPage.Contains(i!.Page) ? i with { Findings = byPage[i.Page].ToArray() } : i).ToArray();
    }

    /// <summary>
    /// A b-tree page nothing reaches still points at the overflow chains of its cells: those pages are overflow
    /// pages of orphaned cells, not unknown content. Only pages no structure has claimed are taken.
    /// </summary>
    private void ClaimOrphanedOverflowChains(PageInfo?[] map, uint total, byte[] buffer)
    {
        var payload = ArrayPool<byte>.Shared.Rent(PageSize);
        var overflow = ArrayPool<byte>.Shared.Rent(PageSize);
        try
        {
            for (uint p = 1; p <= total; p++)
            {
                if (map[p] is not null)
                {
                    continue;
                }

                var origin = _pages.Read(p, buffer);
                if (origin.BytesRead == 0 || BTreePage.TryDecode(buffer.AsSpan(0, PageSize), p, UsableSize) is not { } page || page.Type == BTreePageType.InteriorTable)
                {
                    continue;
                }

                var observer = new OrphanChainObserver(map, $"orphaned cells of page {p}", UsableSize);
                foreach (var cell in page.Cells.Where(c => c.FirstOverflowPage != 0))
                {
                    AssemblePayload(buffer.AsSpan(0, PageSize), p, cell, ref payload, ref overflow, observer, report: false, out _);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(payload);
            ArrayPool<byte>.Shared.Return(overflow);
        }
    }

    private sealed class OrphanChainObserver(PageInfo?[] map, string owner, int usableSize) : IPageObserver
    {
        public void OnBTreePage(uint page, uint parent, BTreeHeader header, ReadOnlySpan<byte> data, PageOrigin origin)
        {
        }

        public void OnOverflowPage(uint page, uint parent, bool first, int usedBytes)
        {
            if (page < map.Length && map[page] is null)
            {
                map[page] = new PageInfo(page, PageKind.Overflow, owner, 0, usableSize - 4 - usedBytes, -1, null);
            }
        }
    }

    private void CheckPointerMaps(PageInfo?[] map, Dictionary<uint, (uint Parent, byte Type)> parents)
    {
        for (uint mapPage = 2; mapPage < map.Length; mapPage++)
        {
            if (!IsPointerMapPage(mapPage))
            {
                continue;
            }

            foreach (var entry in ReadPointerMap(mapPage))
            {
                var info = entry.Page < map.Length ? map[entry.Page] : null;
                if (info is null || info.Kind is PageKind.PointerMap or PageKind.LockByte || !parents.TryGetValue(entry.Page, out var expected))
                {
                    continue;
                }

                if (expected.Type != entry.Type || (entry.Type is 3 or 4 or 5 && expected.Parent != entry.Parent))
                {
                    Report(new SqliteFinding(SqliteFindingKind.PointerMapMismatch, SqliteFindingSeverity.Error, mapPage, 5 * (int)(entry.Page - mapPage - 1),
                        $"pointer map says page {entry.Page} is type {entry.Type} with parent {entry.Parent}; it is {info.Kind} (type {expected.Type}) with parent {expected.Parent}"));
                }
            }
        }
    }

    private string DescribeOrphan(ReadOnlySpan<byte> page, uint pageNumber, PageOrigin origin, out int cells, out int free)
    {
        cells = 0;
        free = 0;
        if (!page.ContainsAnyExcept((byte)0))
        {
            return "all zeros";
        }

        var decoded = BTreePage.TryDecode(page, pageNumber, UsableSize);
        if (decoded is not null)
        {
            cells = decoded.Cells.Count;
            free = decoded.FreeBytes;
            return $"looks like a {decoded.Type} b-tree page with {decoded.Cells.Count} readable cell(s) that no tree references";
        }

        return $"unclassifiable: type byte 0x{page[pageNumber == 1 ? DatabaseHeader.Length : 0]:x2} is no b-tree type (overflow or freelist content with its chain lost?)";
    }

    private sealed class MapObserver(SqliteDatabase db, string owner, uint root, Action<PageInfo, uint, byte> claim) : IPageObserver
    {
        public void OnBTreePage(uint page, uint parent, BTreeHeader header, ReadOnlySpan<byte> data, PageOrigin origin)
        {
            var kind = header.Type switch
            {
                BTreePageType.InteriorTable => PageKind.TableInterior,
                BTreePageType.LeafTable => PageKind.TableLeaf,
                BTreePageType.InteriorIndex => PageKind.IndexInterior,
                _ => PageKind.IndexLeaf,
            };
            var decoded = BTreePage.TryDecode(data, page, db.UsableSize);
            claim(new PageInfo(page, kind, owner, header.CellCount, decoded?.FreeBytes ?? 0, origin.WalFrame, null), page == root ? 0 : parent, page == root ? (byte)1 : (byte)5);
        }

        public void OnOverflowPage(uint page, uint parent, bool first, int usedBytes) =>
            claim(new PageInfo(page, PageKind.Overflow, owner, 0, db.UsableSize - 4 - usedBytes, -1, null), parent, first ? (byte)3 : (byte)4);
    }
}
