using Microsoft.Data.Sqlite;
using Waku.StoreForensics.Sqlite;
using Waku.StoreForensics.Sqlite.Wal;

namespace Waku.StoreForensics.Tests.Sqlite;

public class WalAndJournalTests
{
    private static List<string> Rows(SqliteConnection c) => RandomDatabase.Query(c, "SELECT * FROM m ORDER BY h").Select(RandomDatabase.Canonical).ToList();

    private static List<string> Rows(SqliteDatabase db) => db.ReadTable("m").Select(r => RandomDatabase.Canonical(r.Values)).ToList();

    private static void Insert(SqliteConnection c, int from, int to)
    {
        using var tx = c.BeginTransaction();
        for (int i = from; i < to; i++)
        {
            using var cmd = c.CreateCommand();
            cmd.CommandText = "INSERT INTO m VALUES ($h, $p)";
            cmd.Parameters.AddWithValue("$h", System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(i)));
            cmd.Parameters.AddWithValue("$p", new byte[(i % 7) * 300]);
            cmd.ExecuteNonQuery();
        }

        tx.Commit();
    }

    /// <summary>State S0 checkpointed into the file, then commits A and B only in the WAL; files copied with the writer open.</summary>
    private static (string Path, List<string> S0, List<string> A, List<string> B) CreateWalDatabase(TempDir dir)
    {
        string source = dir.File("wal.db");
        string copy = dir.File("copy.db");
        using var c = new SqliteConnection($"Data Source={source};Pooling=False");
        c.Open();
        RandomDatabase.Exec(c, "PRAGMA journal_mode=WAL");
        RandomDatabase.Exec(c, "PRAGMA wal_autocheckpoint=0");
        RandomDatabase.Exec(c, "CREATE TABLE m(h BLOB PRIMARY KEY, p BLOB) WITHOUT ROWID");
        Insert(c, 0, 50);
        RandomDatabase.Exec(c, "PRAGMA wal_checkpoint(TRUNCATE)");
        var s0 = Rows(c);
        Insert(c, 50, 120);
        var a = Rows(c);
        Insert(c, 120, 130);
        var b = Rows(c);
        File.Copy(source, copy);
        File.Copy(source + "-wal", copy + "-wal");
        return (copy, s0, a, b);
    }

    [Fact]
    public void Wal_CommittedFrames_AreReadLikeSqlite()
    {
        using var dir = new TempDir();
        var (path, s0, _, b) = CreateWalDatabase(dir);
        using (var db = SqliteDatabase.Open(path))
        {
            Assert.Equal(b, Rows(db));
            Assert.Contains(db.ReadTable("m"), r => r.Provenance.WalFrame >= 0);
            Assert.DoesNotContain(db.Findings, f => f.Severity != SqliteFindingSeverity.Info);
            // Pages changed by both commits keep their older images in the WAL.
            Assert.Contains(db.Wal!.Frames.GroupBy(f => f.PageNumber), g => g.Count() > 1);
        }

        using var fileOnly = SqliteDatabase.Open(path, new SqliteReadOptions { Overlay = JournalOverlay.None });
        Assert.Equal(s0, Rows(fileOnly));
    }

    [Fact]
    public void Wal_BadChecksumInLastCommit_FallsBackToPreviousCommit()
    {
        using var dir = new TempDir();
        var (path, _, a, _) = CreateWalDatabase(dir);
        using (var wal = WalFile.TryOpen(path + "-wal")!)
        {
            var last = wal.Frames[wal.LastCommitFrame];
            using var file = new FileStream(path + "-wal", FileMode.Open, FileAccess.ReadWrite);
            file.Position = last.FileOffset(wal.PageSize) + 24 + 100;
            int b = file.ReadByte();
            file.Position--;
            file.WriteByte((byte)(b ^ 0x55));
        }

        using var db = SqliteDatabase.Open(path);
        Assert.Equal(a, Rows(db));
        Assert.Contains(db.Findings, f => f.Kind == SqliteFindingKind.WalFramesInvalid);
    }

    [Fact]
    public void Wal_TornTail_IsReportedAndLastWholeCommitRead()
    {
        using var dir = new TempDir();
        var (path, _, a, _) = CreateWalDatabase(dir);
        using (var file = new FileStream(path + "-wal", FileMode.Open, FileAccess.ReadWrite))
        {
            file.SetLength(file.Length - 1000);
        }

        using var db = SqliteDatabase.Open(path);
        Assert.Equal(a, Rows(db));
        Assert.Contains(db.Findings, f => f.Kind == SqliteFindingKind.WalFramesInvalid && f.Message.Contains("partial frame", StringComparison.Ordinal));
    }

    [Fact]
    public void Wal_HeaderChecksumDamaged_WholeWalIgnored()
    {
        using var dir = new TempDir();
        var (path, s0, _, _) = CreateWalDatabase(dir);
        using (var file = new FileStream(path + "-wal", FileMode.Open, FileAccess.ReadWrite))
        {
            file.Position = 17;
            file.WriteByte(0xAB);
        }

        using var db = SqliteDatabase.Open(path);
        Assert.Equal(s0, Rows(db));
        Assert.Contains(db.Findings, f => f.Kind == SqliteFindingKind.WalHeaderInvalid);
    }

    [Fact]
    public void HotJournal_IsDetectedAndRollbackViewEqualsStateBeforeTransaction()
    {
        using var dir = new TempDir();
        string source = dir.File("j.db");
        string copy = dir.File("jcopy.db");
        List<string> before;
        using (var c = new SqliteConnection($"Data Source={source};Pooling=False"))
        {
            c.Open();
            RandomDatabase.Exec(c, "PRAGMA page_size=1024");
            RandomDatabase.Exec(c, "CREATE TABLE m(h BLOB PRIMARY KEY, p BLOB) WITHOUT ROWID");
            Insert(c, 0, 200);
            before = Rows(c);
            // A tiny cache forces SQLite to spill changed pages into the database file mid-transaction.
            RandomDatabase.Exec(c, "PRAGMA cache_size=2");
            using var tx = c.BeginTransaction();
            using (var cmd = c.CreateCommand())
            {
                cmd.CommandText = "UPDATE m SET p = randomblob(500); DELETE FROM m WHERE substr(h,1,1) < x'40'";
                cmd.ExecuteNonQuery();
            }

            Assert.True(File.Exists(source + "-journal"));
            File.Copy(source, copy);
            File.Copy(source + "-journal", copy + "-journal");
            tx.Rollback();
        }

        using (var db = SqliteDatabase.Open(copy, new SqliteReadOptions { Overlay = JournalOverlay.RollbackJournal }))
        {
            Assert.True(db.Journal!.IsHot);
            Assert.Contains(db.Findings, f => f.Kind == SqliteFindingKind.HotJournal);
            Assert.Equal(before, Rows(db));
        }

        using var asIs = SqliteDatabase.Open(copy);
        Assert.Contains(asIs.Findings, f => f.Kind == SqliteFindingKind.HotJournal);
        _ = asIs.ReadTable("m").Count();
        _ = asIs.MapPages();
    }
}
