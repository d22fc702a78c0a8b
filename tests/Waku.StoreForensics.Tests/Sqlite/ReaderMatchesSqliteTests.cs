using CsCheck;
using Waku.StoreForensics.Sqlite;

namespace Waku.StoreForensics.Tests.Sqlite;

/// <summary>Our reader must return exactly the rows that SQLite itself returns, for every table and index.</summary>
public class ReaderMatchesSqliteTests
{
    public static TheoryData<RandomDatabaseSpec> Specs => new()
    {
        new RandomDatabaseSpec(512, "UTF-8", "NONE", false, 300, 1),
        new RandomDatabaseSpec(1024, "UTF-16le", "FULL", false, 200, 2),
        new RandomDatabaseSpec(4096, "UTF-8", "INCREMENTAL", true, 400, 3),
        new RandomDatabaseSpec(4096, "UTF-16be", "NONE", true, 150, 4),
        new RandomDatabaseSpec(8192, "UTF-8", "FULL", true, 150, 5),
        new RandomDatabaseSpec(65536, "UTF-8", "NONE", false, 80, 6),
        new RandomDatabaseSpec(65536, "UTF-16le", "INCREMENTAL", true, 60, 7),
    };

    [Theory]
    [MemberData(nameof(Specs))]
    public void ReadTable_RandomDatabase_EqualsSql(RandomDatabaseSpec spec) => AssertMatches(spec);

    [Fact]
    public void ReadTable_GeneratedSpecs_EqualSql()
    {
        var gen =
            from pageShift in Gen.Int[9, 16]
            from encoding in Gen.OneOf("UTF-8", "UTF-16le", "UTF-16be")
            from vacuum in Gen.OneOf("NONE", "FULL", "INCREMENTAL")
            from wal in Gen.Bool
            from rows in Gen.Int[1, 120]
            from seed in Gen.Int[0, 1_000_000]
            select new RandomDatabaseSpec(1 << pageShift, encoding, vacuum, wal, rows, seed);
        FixedSample.Run(gen, AssertMatches, iter: 12, seed: "0N0XIzNsQ0O2");
    }

    private static void AssertMatches(RandomDatabaseSpec spec)
    {
        using var dir = new TempDir();
        var (path, expected, indexExpected) = RandomDatabase.Create(dir, spec);
        using var db = SqliteDatabase.Open(path);
        Assert.Equal(spec.PageSize, db.PageSize);
        Assert.Equal(spec.Wal, db.Wal is { LastCommitFrame: >= 0 });

        foreach (var table in RandomDatabase.Tables)
        {
            var rows = db.ReadTable(table).Select(r => RandomDatabase.Canonical(r.Values)).ToList();
            var want = expected[table].Select(RandomDatabase.Canonical).ToList();
            Assert.True(want.SequenceEqual(rows), $"{spec}: table {table}: {want.Count} rows from SQL, {rows.Count} from the reader");
        }

        foreach (var (index, want) in indexExpected)
        {
            var root = db.FindObject(index)!.RootPage;
            var got = db.ReadRecords(root).Select(r => RandomDatabase.Canonical(r.Values)).Order(StringComparer.Ordinal).ToList();
            Assert.True(want.SequenceEqual(got), $"{spec}: index {index}: {want.Count} entries from SQL, {got.Count} from the reader");
        }

        var map = db.MapPages();
        Assert.Equal((int)db.PageCount, map.Count(p => p.Page <= db.PageCount));
        Assert.DoesNotContain(map, p => p.Kind == PageKind.Orphan && p.Page <= db.PageCount);
        Assert.True(db.Findings.All(f => f.Severity == SqliteFindingSeverity.Info), $"{spec}: healthy file raised {string.Join("; ", db.Findings)}");
    }
}
