using Microsoft.Data.Sqlite;
using Waku.StoreForensics.Scanning;
using Waku.StoreForensics.Tests.Sqlite;

namespace Waku.StoreForensics.Tests.Scanning;

public class SqliteEvidenceAccessTests
{
    private static long CountRows(SqliteEvidenceAccess access)
    {
        using var connection = new SqliteConnection(access.ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM Message";
        return (long)command.ExecuteScalar()!;
    }

    [Fact]
    public void Open_WalModeFileWithoutSidecars_ReadsInPlaceAndWritesNothing()
    {
        using var dir = new TempDir();
        // A path SQLite's URI parser must not misread.
        string path = dir.File("evi dence #1?%.db");
        using (var c = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            c.Open();
            RandomDatabase.Exec(c, "PRAGMA journal_mode=WAL");
            RandomDatabase.Exec(c, "CREATE TABLE Message (messageHash BLOB PRIMARY KEY, payload BLOB) WITHOUT ROWID");
            RandomDatabase.Exec(c, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 300) INSERT INTO Message SELECT randomblob(32), randomblob(100) FROM n");
        }

        Assert.False(File.Exists(path + "-wal"));
        var before = EvidenceFiles.Fingerprint(dir);
        using (var access = SqliteEvidenceAccess.Open(path))
        {
            Assert.True(access.InPlace);
            Assert.Equal(300, CountRows(access));
        }

        // No -wal or -shm created, the file byte-identical.
        Assert.Equal(before, EvidenceFiles.Fingerprint(dir));
    }

    [Fact]
    public void Open_FileWithWal_ReadsAPrivateCopyWithTheWalApplied()
    {
        using var dir = new TempDir();
        string path = EvidenceFiles.CreateWalDatabase(dir);
        var before = EvidenceFiles.Fingerprint(dir);
        using (var access = SqliteEvidenceAccess.Open(path))
        {
            Assert.False(access.InPlace);
            Assert.Equal(500, CountRows(access));
        }

        Assert.Equal(before, EvidenceFiles.Fingerprint(dir));
        Assert.False(File.Exists(path + "-shm"));
    }
}
