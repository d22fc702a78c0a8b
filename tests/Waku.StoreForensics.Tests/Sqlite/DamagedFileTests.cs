using System.Buffers.Binary;
using CsCheck;
using Microsoft.Data.Sqlite;
using Waku.StoreForensics.Sqlite;

namespace Waku.StoreForensics.Tests.Sqlite;

/// <summary>Hand-damaged files must produce the expected findings and never throw, hang or allocate without bound.</summary>
public class DamagedFileTests
{
    private const int PageSize = 1024;

    /// <summary>A rowid table and a WITHOUT ROWID table, several levels deep, some payloads spanning 3+ overflow pages.</summary>
    private static (string Path, Dictionary<long, string> Rows) CreateDatabase(TempDir dir, int rows = 400)
    {
        string path = dir.File("damaged.db");
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            RandomDatabase.Exec(connection, $"PRAGMA page_size={PageSize}");
            RandomDatabase.Exec(connection, "CREATE TABLE t(id INTEGER PRIMARY KEY, body BLOB)");
            RandomDatabase.Exec(connection, "CREATE TABLE w(k TEXT PRIMARY KEY, v BLOB) WITHOUT ROWID");
            using var tx = connection.BeginTransaction();
            var rng = new Random(42);
            for (int i = 1; i <= rows; i++)
            {
                var body = new byte[i % 25 == 0 ? 4000 : rng.Next(10, 200)];
                rng.NextBytes(body);
                using var cmd = connection.CreateCommand();
                cmd.CommandText = "INSERT INTO t VALUES ($i, $b); INSERT INTO w VALUES ($k, $b)";
                cmd.Parameters.AddWithValue("$i", i);
                cmd.Parameters.AddWithValue("$k", $"key-{i:D5}");
                cmd.Parameters.AddWithValue("$b", body);
                cmd.ExecuteNonQuery();
            }

            tx.Commit();
        }

        using var db = SqliteDatabase.Open(path);
        var expected = db.ReadTable("t").ToDictionary(r => (long)r.Values[0]!, r => Convert.ToHexString((byte[])r.Values[1]!));
        Assert.Equal(rows, expected.Count);
        return (path, expected);
    }

    private static void Patch(string path, long offset, ReadOnlySpan<byte> bytes)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        file.Position = offset;
        file.Write(bytes);
    }

    private static byte[] U32(uint value)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, value);
        return b;
    }

    /// <summary>Reads every table and the page map; every row returned must be one that was written.</summary>
    private static SqliteDatabase ReadEverything(string path, Dictionary<long, string> written, out int rowsRead)
    {
        var db = SqliteDatabase.Open(path);
        rowsRead = 0;
        foreach (var row in db.ReadTable("t"))
        {
            Assert.True(written.TryGetValue((long)row.Values[0]!, out var body) && body == Convert.ToHexString((byte[])row.Values[1]!),
                $"row {row.Values[0]} read from page {row.Provenance.Page} differs from what was written");
            rowsRead++;
        }

        _ = db.ReadTable("w").Count();
        _ = db.MapPages();
        return db;
    }

    private static uint RootOf(string path, string table)
    {
        using var db = SqliteDatabase.Open(path);
        return db.FindObject(table)!.RootPage;
    }

    [Fact]
    public void TruncatedFile_ReportsTruncationAndReturnsSurvivingRows()
    {
        using var dir = new TempDir();
        var (path, rows) = CreateDatabase(dir);
        long length = new FileInfo(path).Length;
        using (var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite))
        {
            file.SetLength(length / 2 + 300);
        }

        using var db = ReadEverything(path, rows, out int read);
        Assert.Contains(db.Findings, f => f.Kind == SqliteFindingKind.FileTruncated);
        Assert.Contains(db.Findings, f => f.Kind == SqliteFindingKind.FileTruncated && f.Page == 0 && f.Offset == 28);
        Assert.InRange(read, 1, rows.Count - 1);
    }

    [Fact]
    public void ZeroedInteriorPage_ReportsInvalidPageAndKeepsOtherSubtrees()
    {
        using var dir = new TempDir();
        var (path, rows) = CreateDatabase(dir);
        uint root = RootOf(path, "t");
        uint child;
        using (var db = SqliteDatabase.Open(path))
        {
            var rootPage = db.ReadBTreePage(root)!;
            Assert.Equal(BTreePageType.InteriorTable, rootPage.Type);
            child = rootPage.Cells[0].LeftChild;
        }

        Patch(path, (child - 1) * (long)PageSize, new byte[PageSize]);
        using var damaged = ReadEverything(path, rows, out int read);
        Assert.Contains(damaged.Findings, f => f.Kind == SqliteFindingKind.PageTypeInvalid && f.Page == child);
        Assert.InRange(read, rows.Count / 2, rows.Count - 1);
    }

    [Fact]
    public void PagePointingToItself_ReportsCycleAndTerminates()
    {
        using var dir = new TempDir();
        var (path, rows) = CreateDatabase(dir);
        uint root = RootOf(path, "t");
        // The right-most pointer of the root (offset 8 of its header) now names the root itself.
        Patch(path, (root - 1) * (long)PageSize + 8, U32(root));
        using var db = ReadEverything(path, rows, out int read);
        Assert.Contains(db.Findings, f => f.Kind == SqliteFindingKind.BTreeCycle && f.Page == root);
        Assert.True(read < rows.Count);
    }

    [Fact]
    public void OverflowChainLoop_ReportsCycleAndSkipsOnlyThatRow()
    {
        using var dir = new TempDir();
        var (path, rows) = CreateDatabase(dir);
        uint firstOverflow;
        using (var db = SqliteDatabase.Open(path))
        {
            var big = db.ReadTable("t").First(r => ((byte[])r.Values[1]!).Length == 4000);
            var cell = db.ReadBTreePage(big.Provenance.Page)!.Cells.Single(c => c.Offset == big.Provenance.CellOffset);
            firstOverflow = cell.FirstOverflowPage;
        }

        // 4000 bytes spill over three overflow pages of 1020 bytes; the first now points back to itself.
        Patch(path, (firstOverflow - 1) * (long)PageSize, U32(firstOverflow));
        using var damaged = ReadEverything(path, rows, out int read);
        Assert.Contains(damaged.Findings, f => f.Kind == SqliteFindingKind.OverflowChainCycle && f.Page == firstOverflow);
        Assert.Equal(rows.Count - 1, read);
    }

    [Fact]
    public void CellPastPageEnd_ReportsOutOfBounds()
    {
        using var dir = new TempDir();
        var (path, rows) = CreateDatabase(dir);
        uint leaf;
        int pointerOffset;
        using (var db = SqliteDatabase.Open(path))
        {
            var row = db.ReadTable("t").First(r => ((byte[])r.Values[1]!).Length < 200);
            leaf = row.Provenance.Page;
            var page = db.ReadBTreePage(leaf)!;
            pointerOffset = 8 + (2 * page.CellPointers.ToList().IndexOf(row.Provenance.CellOffset));
        }

        // The cell pointer now names the last two bytes of the page: the cell body cannot fit.
        var pointer = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(pointer, PageSize - 2);
        Patch(path, (leaf - 1) * (long)PageSize + pointerOffset, pointer);
        using var damaged = ReadEverything(path, rows, out int read);
        Assert.Contains(damaged.Findings, f => f.Kind == SqliteFindingKind.CellOutOfBounds && f.Page == leaf);
        Assert.Equal(rows.Count - 1, read);
    }

    [Fact]
    public void LyingPayloadSize_ReportsImplausibleWithoutAllocating()
    {
        using var dir = new TempDir();
        var (path, rows) = CreateDatabase(dir);
        uint leaf;
        int cellOffset;
        using (var db = SqliteDatabase.Open(path))
        {
            var row = db.ReadTable("t").First(r => ((byte[])r.Values[1]!).Length == 4000);
            (leaf, cellOffset) = (row.Provenance.Page, row.Provenance.CellOffset);
        }

        // A 4-byte varint claiming 2^28-1 bytes, written over the payload-size and rowid varints.
        Patch(path, (leaf - 1) * (long)PageSize + cellOffset, [0xFF, 0xFF, 0xFF, 0x7F]);
        long before = GC.GetAllocatedBytesForCurrentThread();
        using var damaged = ReadEverything(path, rows, out _);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains(damaged.Findings, f => f.Kind is SqliteFindingKind.PayloadSizeImplausible or SqliteFindingKind.CellOutOfBounds or SqliteFindingKind.OverflowChainBroken);
        Assert.True(allocated < 64L * 1024 * 1024, $"reading allocated {allocated} bytes");
    }

    [Fact]
    public void AbsurdCellCount_IsClampedAndReported()
    {
        using var dir = new TempDir();
        var (path, rows) = CreateDatabase(dir);
        uint leaf;
        using (var db = SqliteDatabase.Open(path))
        {
            leaf = db.ReadTable("t").First().Provenance.Page;
        }

        Patch(path, (leaf - 1) * (long)PageSize + 3, [0xFF, 0xFF]);
        using var damaged = ReadEverything(path, rows, out _);
        Assert.Contains(damaged.Findings, f => f.Kind == SqliteFindingKind.CellCountAbsurd && f.Page == leaf);
    }

    [Fact]
    public void FreelistLoop_IsReported()
    {
        using var dir = new TempDir();
        var (path, _) = CreateDatabase(dir);
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            RandomDatabase.Exec(connection, "PRAGMA secure_delete=OFF");
            RandomDatabase.Exec(connection, "DELETE FROM t WHERE id > 100");
        }

        uint trunk;
        using (var db = SqliteDatabase.Open(path))
        {
            Assert.True(db.ReadFreelist().Count > 0);
            Assert.DoesNotContain(db.Findings, f => f.Kind is SqliteFindingKind.FreelistInvalid or SqliteFindingKind.FreelistCountMismatch);
            trunk = db.Header.FirstFreelistTrunkPage;
        }

        Patch(path, (trunk - 1) * (long)PageSize, U32(trunk));
        using var damaged = SqliteDatabase.Open(path);
        damaged.ReadFreelist();
        Assert.Contains(damaged.Findings, f => f.Kind == SqliteFindingKind.FreelistInvalid && f.Page == trunk);
    }

    /// <summary>Every table, the page map and the freelist of a damaged file: only typed errors may come out.</summary>
    private static void ReadEverything(string path)
    {
        try
        {
            using var db = SqliteDatabase.Open(path);
            foreach (var o in db.Schema.Where(o => o.Type == "table"))
            {
                try
                {
                    _ = db.ReadTable(o.Name).Count();
                }
                catch (Exception e) when (e is InvalidDataException or ArgumentException)
                {
                    // A damaged CREATE statement (page 1 may come from the WAL) is a typed error from GetTableDefinition.
                }
            }

            _ = db.MapPages();
            _ = db.ReadFreelist();
        }
        catch (InvalidDataException)
        {
            // Only when the file cannot be a database at all.
        }
    }

    [Fact]
    public async Task HeaderClaimingBillionsOfPages_MapsTheReadablePagesAndSaysSo()
    {
        using var dir = new TempDir();
        var (path, _) = CreateDatabase(dir, rows: 50);
        // A valid-looking in-header size (change counter = version-valid-for in a fresh file) of 1.8e9 pages.
        Patch(path, 28, U32(1_845_493_849));
        using var db = SqliteDatabase.Open(path);

        var map = await Task.Run(() => db.MapPages()).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.InRange((uint)map.Count, db.FilePageCount, (2 * db.FilePageCount) + 1024);
        Assert.Contains(db.Findings, f => f.Kind == SqliteFindingKind.FileTruncated && f.Message.Contains("not mapped", StringComparison.Ordinal));
    }

    [Fact]
    public void RandomByteDamage_NeverThrowsOrHangs()
    {
        using var dir = new TempDir();
        var (path, rows) = CreateDatabase(dir, rows: 150);
        var original = File.ReadAllBytes(path);
        string target = dir.File("fuzzed.db");
        FixedSample.Run(Gen.Select(Gen.Int[0, original.Length - 1].Array[1, 40], Gen.Byte.Array[40]), (offsets, values) =>
        {
            var bytes = (byte[])original.Clone();
            for (int i = 0; i < offsets.Length; i++)
            {
                bytes[offsets[i]] = values[i];
            }

            File.WriteAllBytes(target, bytes);
            var work = Task.Run(() => ReadEverything(target));
            Assert.True(work.Wait(TimeSpan.FromSeconds(20)), "reading a damaged file did not finish");
        }, iter: 150, seed: "3ccFJW0m4G17"); // a random draw once made a header claim 1.8e9 pages: it has its own test below
    }

    [Fact]
    public void RandomWalDamage_NeverThrowsOrHangs()
    {
        // The -wal is input too: frame headers (page numbers, commit sizes) and page images can lie. The checksums are
        // recomputed after the damage, so the frames stay valid and their lies reach the reader.
        using var dir = new TempDir();
        string path = Scanning.EvidenceFiles.CreateWalDatabase(dir);
        byte[] database = File.ReadAllBytes(path), wal = File.ReadAllBytes(path + "-wal");
        uint salt1 = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(wal.AsSpan(16));
        uint salt2 = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(wal.AsSpan(20));
        string target = dir.File("fuzzed.db");
        FixedSample.Run(Gen.Select(Gen.Int[32, wal.Length - 1].Array[1, 24], Gen.Byte.Array[24]), (offsets, values) =>
        {
            var bytes = (byte[])wal.Clone();
            for (int i = 0; i < offsets.Length; i++)
            {
                bytes[offsets[i]] = values[i];
            }

            File.WriteAllBytes(target, database);
            File.WriteAllBytes(target + "-wal", bytes);
            SampleGenerator.WalSalts.Normalize(target + "-wal", salt1, salt2);
            var work = Task.Run(() => ReadEverything(target));
            Assert.True(work.Wait(TimeSpan.FromSeconds(20)), "reading a damaged WAL did not finish");
        }, iter: 200, seed: "0N0XIzNsQ0O2");
    }

    [Fact]
    public void SubtreeCutOff_ItsPagesBecomeOrphansThatLookLikeLeaves()
    {
        using var dir = new TempDir();
        var (path, rows) = CreateDatabase(dir);
        uint root = RootOf(path, "t");
        uint lostLeaf;
        using (var db = SqliteDatabase.Open(path))
        {
            var rootPage = db.ReadBTreePage(root)!;
            lostLeaf = rootPage.Cells[0].LeftChild;
            Assert.Equal(BTreePageType.LeafTable, db.ReadBTreePage(lostLeaf)!.Type);
        }

        // The first cell of the root now points at page 1's neighbour in the wrong tree: the leaf is unreachable.
        uint otherRoot = RootOf(path, "w");
        using (var db = SqliteDatabase.Open(path))
        {
            int cellOffset = db.ReadBTreePage(root)!.Cells[0].Offset;
            Patch(path, (root - 1) * (long)PageSize + cellOffset, U32(otherRoot));
        }

        using var damaged = ReadEverything(path, rows, out _);
        var map = damaged.MapPages();
        var orphan = map.Single(p => p.Page == lostLeaf);
        Assert.Equal(PageKind.Orphan, orphan.Kind);
        Assert.Contains("LeafTable", orphan.Reason, StringComparison.Ordinal);
        Assert.True(orphan.CellCount > 0);
        Assert.Contains(damaged.Findings, f => f.Kind == SqliteFindingKind.OrphanPage && f.Page == lostLeaf);
        Assert.Contains(damaged.Findings, f => f.Kind is SqliteFindingKind.PageTypeInvalid or SqliteFindingKind.PageClaimedTwice);
    }

    [Fact]
    public void PointerMapEntryWrong_IsReported()
    {
        using var dir = new TempDir();
        string path = dir.File("av.db");
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            RandomDatabase.Exec(connection, $"PRAGMA page_size={PageSize}");
            RandomDatabase.Exec(connection, "PRAGMA auto_vacuum=FULL");
            RandomDatabase.Exec(connection, "CREATE TABLE t(id INTEGER PRIMARY KEY, body BLOB)");
            RandomDatabase.Exec(connection, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 300) INSERT INTO t SELECT i, randomblob(150) FROM n");
        }

        using (var db = SqliteDatabase.Open(path))
        {
            Assert.True(db.IsPointerMapPage(2));
            _ = db.MapPages();
            Assert.DoesNotContain(db.Findings, f => f.Severity != SqliteFindingSeverity.Info);
            Assert.Equal(5, db.ReadPointerMap(2).First(e => e.Page == db.FindObject("t")!.RootPage + 1).Type);
        }

        // The second entry of the pointer map (page 4, a b-tree page of t) now says "free page".
        Patch(path, PageSize + (5 * 1), [2, 0, 0, 0, 0]);
        using var damaged = SqliteDatabase.Open(path);
        _ = damaged.MapPages();
        Assert.Contains(damaged.Findings, f => f.Kind == SqliteFindingKind.PointerMapMismatch && f.Page == 2);
    }

    [Fact]
    public void LocateRows_ListsCellSizeAndOverflowChain()
    {
        using var dir = new TempDir();
        var (path, rows) = CreateDatabase(dir);
        using var db = SqliteDatabase.Open(path);
        var located = db.LocateRows("t").ToList();
        Assert.Equal(rows.Count, located.Count);
        foreach (var location in located)
        {
            int length = ((byte[])location.Row.Values[1]!).Length;
            // A 4000-byte body makes a 4004-byte payload: 944 bytes stay local (fileformat2 §1.6, U=1024:
            // M=103, K=103+(4004-103)%1020=944 <= X=989) and 3060 spill over three 1020-byte overflow pages.
            Assert.Equal(length == 4000 ? 3 : 0, location.OverflowPages.Count);
            Assert.InRange(location.CellSize, 4, PageSize);
        }

        Assert.Equal(located.Sum(l => l.OverflowPages.Count), db.MapPages().Count(p => p.Kind == PageKind.Overflow && p.Owner == "t"));
    }

    [Fact]
    public void MapPages_OrphanedCells_TheirOverflowChainsAreOverflowNotUnknown()
    {
        // The committed sample's zeroed interior page orphans leaves 32 and 39, whose cells spill into pages 4-8.
        string sample = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "samples", "corrupt-dbs", "zeroed-interior-page-v0.4", "store.sqlite3");
        using var db = SqliteDatabase.Open(sample);
        var map = db.MapPages();
        foreach (uint page in new uint[] { 4, 5, 6, 7, 8 })
        {
            var info = map[(int)page - 1];
            Assert.Equal(PageKind.Overflow, info.Kind);
            Assert.StartsWith("orphaned cells of page ", info.Owner, StringComparison.Ordinal);
            Assert.True(map[int.Parse(info.Owner!["orphaned cells of page ".Length..], System.Globalization.CultureInfo.InvariantCulture) - 1].Kind == PageKind.Orphan);
        }

        Assert.DoesNotContain(db.Findings, f => f.Kind == SqliteFindingKind.OrphanPage && f.Page is >= 4 and <= 8);
    }
}
