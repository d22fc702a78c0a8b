using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Waku.StoreForensics.Recovery;
using Waku.StoreForensics.Sqlite;
using Waku.StoreForensics.Tests.Sqlite;

namespace Waku.StoreForensics.Tests.Recovery;

public class RecordCarverTests
{
    /// <summary>m(h, p, t): h is the SHA-256 of p, so a carved row proves itself.</summary>
    private sealed class HashedShape : ICarveShape
    {
        public string Name => "m";
        public int FieldCount => 3;
        public bool Accepts(ReadOnlySpan<long> t) => t.Length == 3 && t[0] == 76 && (t[1] == 0 || (t[1] >= 12 && t[1] % 2 == 0)) && t[2] is >= 1 and <= 6;
        public long? FixedSerialType(int field) => field == 0 ? 76 : null;
        public bool AcceptsField(int field, long t) => field switch { 0 => t == 76, 1 => t == 0 || (t >= 12 && t % 2 == 0), _ => t is >= 1 and <= 6 };
    }

    private static (string Path, Dictionary<string, (byte[] P, long T)> Written, HashSet<string> Deleted) Create(TempDir dir, bool wal)
    {
        string source = dir.File("carve-src.db");
        string path = dir.File("carve.db");
        var written = new Dictionary<string, (byte[], long)>();
        var rng = new Random(7);
        using var c = new SqliteConnection($"Data Source={source};Pooling=False");
        c.Open();
        RandomDatabase.Exec(c, "PRAGMA page_size=4096");
        RandomDatabase.Exec(c, "PRAGMA secure_delete=OFF");
        if (wal)
        {
            RandomDatabase.Exec(c, "PRAGMA journal_mode=WAL");
            RandomDatabase.Exec(c, "PRAGMA wal_autocheckpoint=0");
        }

        RandomDatabase.Exec(c, "CREATE TABLE m(h BLOB PRIMARY KEY, p BLOB, t INTEGER NOT NULL) WITHOUT ROWID");
        using (var tx = c.BeginTransaction())
        {
            for (int i = 0; i < 600; i++)
            {
                var p = new byte[i % 20 == 0 ? rng.Next(5000, 20000) : rng.Next(50, 1500)];
                rng.NextBytes(p);
                var h = SHA256.HashData(p);
                long t = 1_700_000_000_000_000_000 + i;
                using var cmd = c.CreateCommand();
                cmd.CommandText = "INSERT INTO m VALUES ($h, $p, $t)";
                cmd.Parameters.AddWithValue("$h", h);
                cmd.Parameters.AddWithValue("$p", p);
                cmd.Parameters.AddWithValue("$t", t);
                cmd.ExecuteNonQuery();
                written[Convert.ToHexString(h)] = (p, t);
            }

            tx.Commit();
        }

        var deleted = written.Keys.Where((_, i) => i % 3 == 0).ToHashSet();
        using (var tx = c.BeginTransaction())
        {
            foreach (var key in deleted)
            {
                using var cmd = c.CreateCommand();
                cmd.CommandText = "DELETE FROM m WHERE h = $h";
                cmd.Parameters.AddWithValue("$h", Convert.FromHexString(key));
                cmd.ExecuteNonQuery();
            }

            tx.Commit();
        }

        File.Copy(source, path);
        if (wal)
        {
            File.Copy(source + "-wal", path + "-wal");
        }

        return (path, written, deleted);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Carve_DeletedRows_ComeBackExactlyAndNothingWrongIsProven(bool wal)
    {
        using var dir = new TempDir();
        var (path, written, deleted) = Create(dir, wal);
        using var db = SqliteDatabase.Open(path);
        var carved = new RecordCarver(db, [new HashedShape()]).Carve().ToList();

        var proven = new Dictionary<string, CarvedRecord>();
        foreach (var record in carved)
        {
            if (record.Values is [byte[] h, byte[] p, long t] && SHA256.HashData(p).AsSpan().SequenceEqual(h))
            {
                string key = Convert.ToHexString(h);
                // A record whose key proves its payload must equal what was written, every column.
                Assert.True(written.TryGetValue(key, out var w), $"proven row {key} was never written");
                Assert.Equal(w.P, p);
                Assert.Equal(w.T, t);
                proven.TryAdd(key, record);
            }
        }

        int live = written.Count - deleted.Count;
        Assert.Equal(live, proven.Keys.Count(k => !deleted.Contains(k)));
        // Ground truth: a deleted row that fits on one page is physically intact when its whole record body
        // (key, payload, timestamp) still stands contiguously in the database file or the WAL.
        var evidence = File.ReadAllBytes(path).Concat(wal ? File.ReadAllBytes(path + "-wal") : []).ToArray();
        var intact = deleted.Where(key =>
        {
            var (p, t) = written[key];
            var body = new byte[32 + p.Length + 8];
            Convert.FromHexString(key).CopyTo(body, 0);
            p.CopyTo(body, 32);
            System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(body.AsSpan(32 + p.Length), t);
            return p.Length < 1500 && evidence.AsSpan().IndexOf(body) >= 0;
        }).ToList();
        Assert.NotEmpty(intact);
        Assert.All(intact, key => Assert.True(proven.ContainsKey(key), $"deleted row {key[..8]} is intact on disk but was not carved"));
        Assert.Contains(proven.Values, r => r.HeaderRebuilt && r.Source == CarveSource.Freeblock);
    }
}
