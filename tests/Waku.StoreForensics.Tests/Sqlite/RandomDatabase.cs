using System.Text;
using Microsoft.Data.Sqlite;

namespace Waku.StoreForensics.Tests.Sqlite;

/// <summary>Settings for one random database written by real SQLite.</summary>
public sealed record RandomDatabaseSpec(int PageSize, string Encoding, string AutoVacuum, bool Wal, int Rows, int Seed)
{
    public override string ToString() => $"page {PageSize}, {Encoding}, auto_vacuum {AutoVacuum}, wal {Wal}, {Rows} rows, seed {Seed}";
}

/// <summary>
/// Writes a database with Microsoft.Data.Sqlite: a rowid table with an INTEGER PRIMARY KEY, a WITHOUT ROWID
/// table with a composite key, a plain rowid table widened by ALTER TABLE, secondary indexes, values of every
/// serial type, payloads large enough to overflow, and deletes that leave freeblocks and freelist pages.
/// In WAL mode the writer stays open while the files are copied, so frames are not checkpointed.
/// </summary>
public static class RandomDatabase
{
    public static readonly string[] Tables = ["t_rowid", "t_norowid", "t_plain"];

    public static (string Path, Dictionary<string, List<object?[]>> Expected, Dictionary<string, List<string>> IndexExpected) Create(TempDir dir, RandomDatabaseSpec spec)
    {
        string source = dir.File($"src-{spec.Seed}.db");
        string copy = dir.File($"copy-{spec.Seed}.db");
        var rng = new Random(spec.Seed);
        using var connection = new SqliteConnection($"Data Source={source};Pooling=False");
        connection.Open();
        Exec(connection, $"PRAGMA page_size={spec.PageSize}");
        Exec(connection, $"PRAGMA auto_vacuum={spec.AutoVacuum}");
        Exec(connection, $"PRAGMA encoding='{spec.Encoding}'");
        Exec(connection, "PRAGMA secure_delete=OFF");
        if (spec.Wal)
        {
            Exec(connection, "PRAGMA journal_mode=WAL");
            Exec(connection, "PRAGMA wal_autocheckpoint=0");
        }

        Exec(connection, "CREATE TABLE t_rowid(id INTEGER PRIMARY KEY, a TEXT, b BLOB, c REAL, d INT)");
        Exec(connection, "CREATE INDEX i_rowid_a ON t_rowid(a)");
        Exec(connection, "CREATE TABLE \"t_norowid\"(k BLOB, x TEXT NOT NULL, v BLOB, n INTEGER, CONSTRAINT pk PRIMARY KEY (x, k)) WITHOUT ROWID");
        Exec(connection, "CREATE INDEX i_norowid_n ON t_norowid(n)");
        Exec(connection, "CREATE TABLE t_plain(a, b)");

        int half = spec.Rows / 2;
        InsertRows(connection, rng, spec, 0, half);
        Exec(connection, "ALTER TABLE t_plain ADD COLUMN c BLOB");
        InsertRows(connection, rng, spec, half, spec.Rows);
        Exec(connection, "DELETE FROM t_rowid WHERE id % 3 = 0");
        Exec(connection, "DELETE FROM t_norowid WHERE n % 4 = 1");
        Exec(connection, "DELETE FROM t_plain WHERE rowid % 5 = 2");
        if (spec.AutoVacuum == "INCREMENTAL")
        {
            Exec(connection, "PRAGMA incremental_vacuum(2)");
        }

        var expected = new Dictionary<string, List<object?[]>>
        {
            ["t_rowid"] = Query(connection, "SELECT * FROM t_rowid ORDER BY id"),
            ["t_norowid"] = Query(connection, "SELECT * FROM t_norowid ORDER BY x, k"),
            ["t_plain"] = Query(connection, "SELECT * FROM t_plain ORDER BY rowid"),
        };
        var indexExpected = new Dictionary<string, List<string>>
        {
            ["i_rowid_a"] = Query(connection, "SELECT a, id FROM t_rowid").Select(Canonical).Order(StringComparer.Ordinal).ToList(),
            ["i_norowid_n"] = Query(connection, "SELECT n, x, k FROM t_norowid").Select(Canonical).Order(StringComparer.Ordinal).ToList(),
        };

        File.Copy(source, copy);
        if (spec.Wal)
        {
            File.Copy(source + "-wal", copy + "-wal");
        }

        return (copy, expected, indexExpected);
    }

    private static void InsertRows(SqliteConnection connection, Random rng, RandomDatabaseSpec spec, int from, int to)
    {
        using var tx = connection.BeginTransaction();
        for (int i = from; i < to; i++)
        {
            using (var cmd = connection.CreateCommand())
            {
                cmd.CommandText = "INSERT INTO t_rowid(id, a, b, c, d) VALUES ($id, $a, $b, $c, $d)";
                cmd.Parameters.AddWithValue("$id", i * 7 + 1);
                cmd.Parameters.AddWithValue("$a", Maybe(rng, RandomText(rng, spec.PageSize)));
                cmd.Parameters.AddWithValue("$b", Maybe(rng, RandomBlob(rng, spec.PageSize)));
                cmd.Parameters.AddWithValue("$c", Maybe(rng, (object)(rng.NextDouble() * 1e6 - 5e5)));
                cmd.Parameters.AddWithValue("$d", RandomInteger(rng));
                cmd.ExecuteNonQuery();
            }

            using (var cmd = connection.CreateCommand())
            {
                cmd.CommandText = "INSERT OR IGNORE INTO t_norowid(k, x, v, n) VALUES ($k, $x, $v, $n)";
                cmd.Parameters.AddWithValue("$k", RandomBlob(rng, 64));
                cmd.Parameters.AddWithValue("$x", $"topic/{rng.Next(20)}/{i}");
                cmd.Parameters.AddWithValue("$v", Maybe(rng, RandomBlob(rng, spec.PageSize)));
                cmd.Parameters.AddWithValue("$n", (long)i);
                cmd.ExecuteNonQuery();
            }

            using (var cmd = connection.CreateCommand())
            {
                bool widened = i >= spec.Rows / 2;
                cmd.CommandText = widened ? "INSERT INTO t_plain(a, b, c) VALUES ($a, $b, $c)" : "INSERT INTO t_plain(a, b) VALUES ($a, $b)";
                cmd.Parameters.AddWithValue("$a", AnyValue(rng, spec.PageSize));
                cmd.Parameters.AddWithValue("$b", AnyValue(rng, spec.PageSize));
                if (widened)
                {
                    cmd.Parameters.AddWithValue("$c", Maybe(rng, RandomBlob(rng, 100)));
                }

                cmd.ExecuteNonQuery();
            }
        }

        tx.Commit();
    }

    private static object Maybe(Random rng, object value) => rng.Next(8) == 0 ? DBNull.Value : value;

    private static object AnyValue(Random rng, int pageSize) => rng.Next(6) switch
    {
        0 => DBNull.Value,
        1 => RandomInteger(rng),
        2 => rng.NextDouble() * Math.Pow(10, rng.Next(-5, 30)),
        3 => RandomText(rng, pageSize),
        _ => RandomBlob(rng, pageSize),
    };

    /// <summary>Integers of every width SQLite stores: 0, 1, 8-, 16-, 24-, 32-, 48- and 64-bit.</summary>
    private static long RandomInteger(Random rng)
    {
        int bits = new[] { 0, 1, 7, 15, 23, 31, 47, 63 }[rng.Next(8)];
        long magnitude = bits switch { 0 => 0, 1 => 1, _ => rng.NextInt64(1L << (bits - 1), bits == 63 ? long.MaxValue : 1L << bits) };
        return rng.Next(2) == 0 ? magnitude : -magnitude;
    }

    /// <summary>Mostly small, sometimes several pages long so that the payload overflows.</summary>
    private static int RandomLength(Random rng, int pageSize) => rng.Next(10) switch
    {
        0 => rng.Next(pageSize, pageSize * 3),
        1 => rng.Next(pageSize / 4, pageSize),
        _ => rng.Next(0, 64),
    };

    private static byte[] RandomBlob(Random rng, int pageSize)
    {
        var blob = new byte[RandomLength(rng, pageSize)];
        rng.NextBytes(blob);
        return blob;
    }

    private static string RandomText(Random rng, int pageSize)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789 /-_éü漢字🙂";
        int length = RandomLength(rng, pageSize) / 2;
        var text = new StringBuilder(length);
        var elements = System.Globalization.StringInfo.GetTextElementEnumerator(alphabet);
        var pieces = new List<string>();
        while (elements.MoveNext())
        {
            pieces.Add((string)elements.Current);
        }

        for (int i = 0; i < length; i++)
        {
            text.Append(pieces[rng.Next(pieces.Count)]);
        }

        return text.ToString();
    }

    public static List<object?[]> Query(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        using var reader = cmd.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (int i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    public static string Canonical(object?[] row) => string.Join("|", row.Select(v => v switch
    {
        null => "N",
        byte[] b => "B" + Convert.ToHexString(b),
        string s => "T" + s,
        double d => "R" + d.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        long l => "I" + l.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => "?" + v,
    }));

    public static void Exec(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
