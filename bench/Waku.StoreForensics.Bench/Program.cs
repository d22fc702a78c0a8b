using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Waku.StoreForensics.Sqlite;

// Reader benchmark: every row of a ~1 GB nwaku-shaped Message table, our reader vs SELECT * through
// Microsoft.Data.Sqlite, each run in its own process so that peak RSS (VmHWM) belongs to one reader.
//   generate <db> <megabytes>     write the table (schema 10 layout, WITHOUT ROWID)
//   ours <db> | sqlite <db>       read every row once, print one result line
//   compare <db> <runs>           alternate both readers in child processes and print a table
return args switch
{
    ["generate", var path, var mb] => Generate(path, long.Parse(mb, CultureInfo.InvariantCulture)),
    ["ours", var path] => Report("ours", path, ReadOurs),
    ["sqlite", var path] => Report("sqlite", path, ReadSqlite),
    ["compare", var path, var runs] => Compare(path, int.Parse(runs, CultureInfo.InvariantCulture)),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: bench generate <db> <MB> | ours <db> | sqlite <db> | compare <db> <runs>");
    return 2;
}

static int Generate(string path, long megabytes)
{
    if (File.Exists(path))
    {
        Console.Error.WriteLine($"{path} exists; not overwriting");
        return 2;
    }

    var rng = new Random(20210709);
    using var c = new SqliteConnection($"Data Source={path};Pooling=False");
    c.Open();
    Exec(c, "PRAGMA journal_mode=WAL");
    Exec(c, "CREATE TABLE message (pubsubTopic BLOB NOT NULL, contentTopic BLOB NOT NULL, payload BLOB, version INTEGER NOT NULL, id BLOB, messageHash BLOB, timestamp INTEGER NOT NULL, meta BLOB, CONSTRAINT messageIndex PRIMARY KEY (messageHash)) WITHOUT ROWID");
    Exec(c, "CREATE INDEX i_ts ON Message (timestamp)");
    string[] topics = ["/waku/2/rs/1/0", "/waku/2/rs/1/1", "/waku/2/rs/1/4", "/waku/2/default-waku/proto"];
    string[] contentTopics = ["/toy-chat/2/huilong/proto", "/status/1/chat/rfc26", "/waku/1/0x12345678/rfc26", "/app/1/ping/proto"];
    long target = megabytes * 1024 * 1024;
    long written = 0;
    long ts = 1_700_000_000_000_000_000;
    var sw = Stopwatch.StartNew();
    using var cmd = c.CreateCommand();
    cmd.CommandText = "INSERT INTO message (pubsubTopic, contentTopic, payload, version, messageHash, timestamp, meta) VALUES ($p, $c, $b, $v, $h, $t, $m)";
    var p = cmd.Parameters.Add("$p", SqliteType.Blob);
    var ct = cmd.Parameters.Add("$c", SqliteType.Blob);
    var b = cmd.Parameters.Add("$b", SqliteType.Blob);
    var v = cmd.Parameters.Add("$v", SqliteType.Integer);
    var h = cmd.Parameters.Add("$h", SqliteType.Blob);
    var t = cmd.Parameters.Add("$t", SqliteType.Integer);
    var m = cmd.Parameters.Add("$m", SqliteType.Blob);
    long rows = 0;
    while (written < target)
    {
        using var tx = c.BeginTransaction();
        cmd.Transaction = tx;
        for (int i = 0; i < 10_000 && written < target; i++, rows++)
        {
            // Payloads 0–2 KB, with about 3% of 5–60 KB that spill into overflow chains.
            var payload = new byte[rng.Next(100) < 3 ? rng.Next(5 * 1024, 60 * 1024) : rng.Next(0, 2048)];
            rng.NextBytes(payload);
            byte[] pubsub = System.Text.Encoding.UTF8.GetBytes(topics[rng.Next(topics.Length)]);
            byte[] content = System.Text.Encoding.UTF8.GetBytes(contentTopics[rng.Next(contentTopics.Length)]);
            byte[]? meta = rng.Next(4) == 0 ? RandomBytes(rng, 16) : null;
            ts += rng.Next(1, 2_000_000_000);
            p.Value = pubsub;
            ct.Value = content;
            b.Value = payload;
            v.Value = 0;
            h.Value = SHA256.HashData(payload.Concat(BitConverter.GetBytes(ts)).ToArray());
            t.Value = ts;
            m.Value = (object?)meta ?? DBNull.Value;
            cmd.ExecuteNonQuery();
            written += payload.Length + pubsub.Length + content.Length + 40;
        }

        tx.Commit();
    }

    Exec(c, "PRAGMA wal_checkpoint(TRUNCATE)");
    Console.WriteLine($"generated {rows} rows, {new FileInfo(path).Length / 1048576.0:F0} MiB in {sw.Elapsed.TotalSeconds:F1} s");
    return 0;
}

static byte[] RandomBytes(Random rng, int n)
{
    var bytes = new byte[n];
    rng.NextBytes(bytes);
    return bytes;
}

static void Exec(SqliteConnection c, string sql)
{
    using var cmd = c.CreateCommand();
    cmd.CommandText = sql;
    cmd.ExecuteNonQuery();
}

static (long Rows, long Bytes) ReadOurs(string path)
{
    using var db = SqliteDatabase.Open(path);
    long rows = 0, bytes = 0;
    foreach (var row in db.ReadTable("message"))
    {
        rows++;
        bytes += Size(row.Values);
    }

    return (rows, bytes);
}

static (long Rows, long Bytes) ReadSqlite(string path)
{
    using var c = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
    c.Open();
    using var cmd = c.CreateCommand();
    cmd.CommandText = "SELECT * FROM message";
    using var reader = cmd.ExecuteReader();
    long rows = 0, bytes = 0;
    var values = new object?[reader.FieldCount];
    while (reader.Read())
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
        }

        rows++;
        bytes += Size(values);
    }

    return (rows, bytes);
}

static long Size(object?[] values)
{
    long n = 0;
    foreach (var v in values)
    {
        n += v is byte[] b ? b.Length : 8;
    }

    return n;
}

static int Report(string name, string path, Func<string, (long Rows, long Bytes)> read)
{
    var sw = Stopwatch.StartNew();
    var (rows, bytes) = read(path);
    sw.Stop();
    long hwmKb = File.ReadLines("/proc/self/status").Where(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))
        .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture)).FirstOrDefault();
    Console.WriteLine(FormattableString.Invariant($"{name} rows={rows} bytes={bytes} seconds={sw.Elapsed.TotalSeconds:F3} peak_rss_mb={hwmKb / 1024.0:F1}"));
    return 0;
}

static int Compare(string path, int runs)
{
    string self = Environment.ProcessPath!;
    string dll = typeof(SqliteDatabase).Assembly.Location.Replace("Waku.StoreForensics.dll", "Waku.StoreForensics.Bench.dll", StringComparison.Ordinal);
    var results = new Dictionary<string, List<(double Seconds, double Rss, string Line)>> { ["ours"] = [], ["sqlite"] = [] };
    for (int run = 0; run < runs; run++)
    {
        foreach (var reader in new[] { "ours", "sqlite" })
        {
            var start = new ProcessStartInfo(self) { RedirectStandardOutput = true };
            if (self.EndsWith("dotnet", StringComparison.Ordinal))
            {
                start.ArgumentList.Add(dll);
            }

            start.ArgumentList.Add(reader);
            start.ArgumentList.Add(path);
            using var process = Process.Start(start)!;
            string line = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            Console.WriteLine(line);
            var fields = line.Split(' ').Skip(1).Select(f => f.Split('=')).ToDictionary(f => f[0], f => f[1]);
            results[reader].Add((double.Parse(fields["seconds"], CultureInfo.InvariantCulture), double.Parse(fields["peak_rss_mb"], CultureInfo.InvariantCulture), line));
        }
    }

    double Median(IEnumerable<double> xs)
    {
        var s = xs.Order().ToArray();
        return s[s.Length / 2];
    }

    double mb = new FileInfo(path).Length / 1048576.0;
    Console.WriteLine();
    Console.WriteLine(FormattableString.Invariant($"file {mb:F0} MiB, {runs} run(s) each, median:"));
    Console.WriteLine("| reader | seconds | MiB/s | peak RSS MiB |");
    Console.WriteLine("|---|---|---|---|");
    foreach (var (name, list) in results)
    {
        double sec = Median(list.Select(r => r.Seconds));
        Console.WriteLine(FormattableString.Invariant($"| {(name == "ours" ? "Waku.StoreForensics reader" : "Microsoft.Data.Sqlite SELECT *")} | {sec:F2} | {mb / sec:F0} | {Median(list.Select(r => r.Rss)):F0} |"));
    }

    Console.WriteLine(FormattableString.Invariant($"ratio sqlite/ours: {Median(results["sqlite"].Select(r => r.Seconds)) / Median(results["ours"].Select(r => r.Seconds)):F2}x"));
    return 0;
}
