using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Waku.StoreForensics.Sqlite;

// Reader benchmark: every row of a ~1 GB nwaku-shaped Message table (written by samples/corrupt-dbs/Generator),
// our reader vs SELECT * through Microsoft.Data.Sqlite, each run in its own process so that peak RSS (VmHWM)
// belongs to one reader.
//   ours <db> | sqlite <db>       read every row once, print one result line
//   compare <db> <runs>           alternate both readers in child processes and print a table
return args switch
{
    ["ours", var path] => Report("ours", path, ReadOurs),
    ["sqlite", var path] => Report("sqlite", path, ReadSqlite),
    ["compare", var path, var runs] => Compare(path, int.Parse(runs, CultureInfo.InvariantCulture)),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: bench ours <db> | sqlite <db> | compare <db> <runs>");
    return 2;
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
