using Microsoft.Data.Sqlite;
using Waku.StoreForensics.Scanning;
using Waku.StoreForensics.Sqlite;
using Waku.StoreForensics.Tests.Sqlite;

namespace Waku.StoreForensics.Tests.Scanning;

public class IntegrityCheckTests
{
    [Fact]
    public void Run_WalDatabase_LeavesEvidenceByteIdenticalAndCreatesNoShm()
    {
        using var dir = new TempDir();
        string path = EvidenceFiles.CreateWalDatabase(dir);
        var before = EvidenceFiles.Fingerprint(dir);
        var result = IntegrityCheck.Run(path);
        Assert.True(result.Ok, string.Join("; ", result.Problems));
        Assert.Equal(before, EvidenceFiles.Fingerprint(dir));
        Assert.False(File.Exists(path + "-shm"));
    }

    [Fact]
    public void Run_IndexDisagreesWithTable_ReportsMismatchNamingTheIndex()
    {
        using var dir = new TempDir();
        string path = dir.File("idx.db");
        using (var c = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            c.Open();
            RandomDatabase.Exec(c, "CREATE TABLE Message (messageHash BLOB PRIMARY KEY, timestamp INTEGER NOT NULL, payload BLOB) WITHOUT ROWID");
            RandomDatabase.Exec(c, "CREATE INDEX i_ts ON Message (timestamp)");
            RandomDatabase.Exec(c, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 500) INSERT INTO Message SELECT randomblob(32), 1700000000000000000 + i, randomblob(100) FROM n");
        }

        // Flip the low byte of one timestamp inside an i_ts index record: the index no longer matches its table.
        long fileOffset;
        using (var db = SqliteDatabase.Open(path))
        {
            var entry = db.ReadRecords(db.FindObject("i_ts")!.RootPage).Skip(10).First();
            var cell = db.ReadBTreePage(entry.Provenance.Page)!.Cells.Single(c => c.Offset == entry.Provenance.CellOffset);
            // Record: header size, serial type 6 (8-byte integer), serial type 76 (32-byte blob), then the timestamp.
            fileOffset = ((entry.Provenance.Page - 1) * (long)db.PageSize) + cell.LocalPayloadOffset + 3 + 7;
        }

        using (var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite))
        {
            file.Position = fileOffset;
            int b = file.ReadByte();
            file.Position--;
            file.WriteByte((byte)(b ^ 0x01));
        }

        var result = IntegrityCheck.Run(path);
        Assert.True(result.Ran);
        Assert.Contains(result.Problems, p => p.Kind == IntegrityProblemKind.IndexTableMismatch && p.Index == "i_ts");
    }

    [Theory]
    [InlineData("row 17 missing from index i_ts", IntegrityProblemKind.IndexTableMismatch, null, "i_ts")]
    [InlineData("wrong # of entries in index i_query", IntegrityProblemKind.IndexTableMismatch, null, "i_query")]
    [InlineData("Tree 4 page 12 cell 3: Rowid 9 out of order", IntegrityProblemKind.PageStructure, 12u, null)]
    [InlineData("Page 33: never used", IntegrityProblemKind.PageStructure, 33u, null)]
    [InlineData("NULL value in Message.timestamp", IntegrityProblemKind.ConstraintViolation, null, null)]
    public void Classify_KnownMessages(string message, IntegrityProblemKind kind, uint? page, string? index)
    {
        var problem = IntegrityCheck.Classify(message);
        Assert.Equal(kind, problem.Kind);
        Assert.Equal(page, problem.Page);
        Assert.Equal(index, problem.Index);
    }
}

public class ScanCancellationTests
{
    private static string Sample => Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "samples", "corrupt-dbs", "healthy-v0.37", "store.sqlite3");

    [Fact]
    public void BackgroundReads_CancelledToken_EndInOperationCanceled()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => StoreScanner.HashEvidence(Sample, cancelled.Token));
        Assert.ThrowsAny<OperationCanceledException>(() => IntegrityCheck.Run(Sample, cancellationToken: cancelled.Token));
        Assert.ThrowsAny<OperationCanceledException>(() => StoreScanner.Scan(Sample, cancellationToken: cancelled.Token));
    }
}
