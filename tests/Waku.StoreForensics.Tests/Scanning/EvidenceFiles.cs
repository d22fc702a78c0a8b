using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Waku.StoreForensics.Tests.Sqlite;

namespace Waku.StoreForensics.Tests.Scanning;

/// <summary>Evidence files for the tests that prove a file is read and never changed.</summary>
internal static class EvidenceFiles
{
    /// <summary>SHA-256 of every file in the folder, by name: equal before and after means nothing was written or created.</summary>
    public static Dictionary<string, string> Fingerprint(TempDir dir) =>
        Directory.GetFiles(dir.Path).ToDictionary(f => Path.GetFileName(f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));

    /// <summary>A WAL database of 500 rows with an index, all in uncheckpointed frames; the writer is gone without checkpointing.</summary>
    public static string CreateWalDatabase(TempDir dir)
    {
        string source = dir.File("src.db");
        string path = dir.File("evidence.db");
        using (var c = new SqliteConnection($"Data Source={source};Pooling=False"))
        {
            c.Open();
            RandomDatabase.Exec(c, "PRAGMA journal_mode=WAL");
            RandomDatabase.Exec(c, "PRAGMA wal_autocheckpoint=0");
            RandomDatabase.Exec(c, "CREATE TABLE Message (messageHash BLOB PRIMARY KEY, timestamp INTEGER NOT NULL, payload BLOB) WITHOUT ROWID");
            RandomDatabase.Exec(c, "CREATE INDEX i_ts ON Message (timestamp)");
            RandomDatabase.Exec(c, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 500) INSERT INTO Message SELECT randomblob(32), 1700000000000000000 + i, randomblob(100) FROM n");
            // Copied while the writer is open: closing it would checkpoint and delete the -wal.
            File.Copy(source, path);
            File.Copy(source + "-wal", path + "-wal");
        }

        File.Delete(source);
        return path;
    }

    /// <summary>The bytes of a hot rollback journal (valid header, page images), taken from a scratch database mid-transaction.</summary>
    public static byte[] HotJournal(TempDir dir)
    {
        string source = dir.File("journal-source.db");
        using var c = new SqliteConnection($"Data Source={source};Pooling=False");
        c.Open();
        RandomDatabase.Exec(c, "PRAGMA journal_mode=DELETE");
        RandomDatabase.Exec(c, "PRAGMA cache_size=2");
        RandomDatabase.Exec(c, "CREATE TABLE t (x BLOB)");
        RandomDatabase.Exec(c, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 300) INSERT INTO t SELECT randomblob(200) FROM n");
        using var tx = c.BeginTransaction();
        // A small cache spills the changed pages to the file, so the journal is synced with its page images.
        RandomDatabase.Exec(c, "DELETE FROM t WHERE rowid % 2 = 0");
        byte[] journal = File.ReadAllBytes(source + "-journal");
        tx.Rollback();
        return journal;
    }
}
