using System.Security.Cryptography;
using Waku.StoreForensics.SampleGenerator;
using Waku.StoreForensics.Scanning;
using Waku.StoreForensics.Schema;
using Waku.StoreForensics.Sqlite;
using Waku.StoreForensics.Validation;

namespace Waku.StoreForensics.Tests.Samples;

/// <summary>Every damage scenario on v0.4 (S1) and latest (S10) stores, generated once for the class.</summary>
public sealed class DamageScenarioCorpus : IDisposable
{
    public const int Messages = 150;
    public const int Seed = 11;

    private readonly TempDir _root = new();
    private readonly Dictionary<string, (string Directory, ScenarioManifest Manifest)> _scenarios = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>The scenario folder and its manifest, generated on first use.</summary>
    public (string Directory, ScenarioManifest Manifest) Get(string scenario, MessageSchemaId layout)
    {
        lock (_gate)
        {
            string name = DamageScenarios.FolderName(scenario, layout);
            if (!_scenarios.TryGetValue(name, out var entry))
            {
                string directory = Path.Combine(_root.Path, name);
                entry = (directory, DamageScenarios.Generate(directory, scenario, layout, Seed, Messages));
                _scenarios[name] = entry;
            }

            return entry;
        }
    }

    public void Dispose() => _root.Dispose();
}

public class DamageScenarioTests(DamageScenarioCorpus corpus) : IClassFixture<DamageScenarioCorpus>
{
    private static readonly ScanOptions ScanOptions = new() { Validation = new RowValidationOptions { Now = new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero) } };

    public static TheoryData<string, MessageSchemaId> Cases()
    {
        var cases = new TheoryData<string, MessageSchemaId>();
        foreach (MessageSchemaId layout in new[] { MessageSchemaId.S1, MessageSchemaId.S10 })
        {
            foreach (string name in DamageScenarios.Names.Where(n => DamageScenarios.AppliesTo(n, layout)))
            {
                cases.Add(name, layout);
            }
        }

        return cases;
    }

    private static Dictionary<string, string> HashFiles(string directory) =>
        Directory.GetFiles(directory).ToDictionary(f => Path.GetFileName(f), f => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(f))), StringComparer.Ordinal);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Scan_Scenario_ReportsExpectedKindsAndLeavesFilesByteIdentical(string scenario, MessageSchemaId layout)
    {
        (string directory, ScenarioManifest manifest) = corpus.Get(scenario, layout);
        Dictionary<string, string> before = HashFiles(directory);

        ScanReport report = StoreScanner.Scan(Path.Combine(directory, manifest.MessageFile), ScanOptions);

        string found = string.Join("\n", report.Findings);
        foreach (string kind in manifest.ExpectedFindings)
        {
            Assert.True(report.Counts.ContainsKey(Enum.Parse<FindingKind>(kind)), $"{scenario}/{layout}: no {kind} in\n{found}");
        }

        if (manifest.ExpectedFindings.Count == 0)
        {
            Assert.DoesNotContain(report.Findings, f => f.Severity > Severity.Info);
            Assert.Equal(layout.ToString(), report.MessageLayout);
            Assert.Equal(manifest.Written.Count - manifest.Deleted.Count, report.MessageRowsRead);
        }
        else
        {
            // A torn WAL tail is a warning (SQLite recovers from it by design); everything else is an error.
            Assert.Contains(report.Findings, f => f.Severity > Severity.Info);
        }

        // Row findings name only rows the scenario changed: never an intact row as written.
        var untouched = manifest.Intact.Except(manifest.Altered.Select(a => a.NewKey)).ToHashSet(StringComparer.Ordinal);
        Assert.All(report.Findings.Where(f => f.Severity > Severity.Info && f.Location.Key is not null),
            f => Assert.DoesNotContain(f.Location.Key!, untouched));

        // A whole page overwritten in the database file is reported at that page.
        foreach (ByteDamage page in manifest.Damage.Where(d => d.File == manifest.MessageFile && d.Length == report.PageSize && d.Action != "truncated"))
        {
            Assert.Contains(report.Findings, f => f.Kind == FindingKind.PageTypeInvalid && f.Location.Page == (page.Offset / report.PageSize) + 1);
        }

        Assert.Equal(before, HashFiles(directory)); // same files, same bytes: no -shm, nothing written
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Reader_Scenario_ReturnsNoRowThatDiffersFromAWrittenRow_UnlessItsBytesWereDamaged(string scenario, MessageSchemaId layout)
    {
        (string directory, ScenarioManifest manifest) = corpus.Get(scenario, layout);
        MessageTableSchema schema = NwakuSchemaCatalog.Get(layout);
        var expected = manifest.Written.Select(w => (w.Key, w.Fingerprint))
            .Concat(manifest.Altered.Select(a => (Key: a.NewKey, Fingerprint: a.NewFingerprint)))
            .ToHashSet();
        var deleted = manifest.Deleted.ToHashSet(StringComparer.Ordinal);

        using SqliteDatabase db = SqliteDatabase.Open(Path.Combine(directory, manifest.MessageFile));
        if (db.FindObject(manifest.MessageTable) is null)
        {
            Assert.Contains(manifest.Damage, d => d.Offset < 100); // only a damaged header hides the table
            return;
        }

        int read = 0, differing = 0;
        foreach (RowLocation location in db.LocateRows(manifest.MessageTable))
        {
            read++;
            string key = MessageRowValidator.FormatKey(schema, location.Row.Values);
            if (expected.Contains((key, RowFingerprint.Of(location.Row.Values))))
            {
                Assert.DoesNotContain(key, deleted);
                continue;
            }

            // A row unlike any written one must come from bytes the scenario changed.
            differing++;
            Assert.True(TouchesDamage(db, manifest, location), $"{scenario}/{layout}: row {key} on page {location.Row.Provenance.Page} differs from every written row, yet none of its bytes were damaged");
        }

        Assert.True(read > 0 || manifest.Damage.Count > 0);
        if (manifest.Damage.Any(d => d.Action == "bit-flipped" && d.Target.Contains("payload", StringComparison.Ordinal)))
        {
            Assert.True(differing > 0, "payload bit flips must show as rows that differ from the written ones");
        }
    }

    [Theory]
    [InlineData("bit-flips", MessageSchemaId.S1)]
    [InlineData("bit-flips", MessageSchemaId.S10)]
    [InlineData("index-damage", MessageSchemaId.S10)]
    [InlineData("freelist-damage", MessageSchemaId.S1)]
    [InlineData("freelist-damage", MessageSchemaId.S10)]
    [InlineData("deleted-rows", MessageSchemaId.S1)]
    [InlineData("deleted-rows", MessageSchemaId.S10)]
    [InlineData("semantic-damage", MessageSchemaId.S1)]
    [InlineData("semantic-damage", MessageSchemaId.S10)]
    [InlineData("wal-only-rows", MessageSchemaId.S1)]
    [InlineData("wal-only-rows", MessageSchemaId.S10)]
    public void Reader_TreeLeftWhole_ReadsEveryLiveRowAndEveryIntactOneUnchanged(string scenario, MessageSchemaId layout)
    {
        (string directory, ScenarioManifest manifest) = corpus.Get(scenario, layout);
        MessageTableSchema schema = NwakuSchemaCatalog.Get(layout);
        var fingerprints = manifest.Written.ToDictionary(w => w.Key, w => w.Fingerprint, StringComparer.Ordinal);
        foreach (AlteredRow altered in manifest.Altered)
        {
            fingerprints.Remove(altered.Key);
            fingerprints[altered.NewKey] = altered.NewFingerprint;
        }

        foreach (string key in manifest.Deleted)
        {
            fingerprints.Remove(key);
        }

        using SqliteDatabase db = SqliteDatabase.Open(Path.Combine(directory, manifest.MessageFile));
        Dictionary<string, string> read = db.ReadTable(manifest.MessageTable)
            .ToDictionary(r => MessageRowValidator.FormatKey(schema, r.Values), r => RowFingerprint.Of(r.Values), StringComparer.Ordinal);

        Assert.Equal(fingerprints.Keys.Order(StringComparer.Ordinal), read.Keys.Order(StringComparer.Ordinal));
        Assert.All(manifest.Intact, key => Assert.Equal(fingerprints[key], read[key]));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Manifest_Scenario_GroundTruthIsConsistent(string scenario, MessageSchemaId layout)
    {
        (_, ScenarioManifest manifest) = corpus.Get(scenario, layout);
        var written = manifest.Written.Select(w => w.Key).ToHashSet(StringComparer.Ordinal);
        var live = written.Except(manifest.Deleted).Except(manifest.Altered.Select(a => a.Key)).Concat(manifest.Altered.Select(a => a.NewKey)).ToHashSet(StringComparer.Ordinal);

        Assert.Equal(layout.ToString(), manifest.Layout);
        Assert.Equal(written.Count, manifest.Written.Count); // keys are unique
        Assert.Subset(live, manifest.Intact.ToHashSet(StringComparer.Ordinal));
        Assert.Subset(manifest.Deleted.ToHashSet(StringComparer.Ordinal), manifest.DeletedIntact.ToHashSet(StringComparer.Ordinal));
        Assert.Subset(written, manifest.Deleted.ToHashSet(StringComparer.Ordinal));
        if (manifest.Damage.Count == 0)
        {
            Assert.Equal(live.Count, manifest.Intact.Count); // SQL alone leaves every live row whole
        }
        else
        {
            Assert.True(manifest.Intact.Count < live.Count || manifest.Damage.All(d => d.Offset < 100 || d.Target.StartsWith("i_ts", StringComparison.Ordinal) || d.Target.Contains("freelist", StringComparison.Ordinal)),
                $"{scenario}/{layout}: byte damage left every row intact");
        }

        if (manifest.Deleted.Count > 0)
        {
            Assert.NotEmpty(manifest.DeletedIntact); // retention deletes leave records in free space (no secure_delete)
        }
    }

    [Theory]
    [InlineData(MessageSchemaId.S1)]
    [InlineData(MessageSchemaId.S10)]
    public void Scan_HealthyGeneratedStore_HasNoErrorOrWarning(MessageSchemaId layout)
    {
        using var dir = new TempDir();
        GroundTruthManifest manifest = SampleStoreGenerator.Generate(dir.Path, new SampleStoreOptions { Layout = layout, Seed = DamageScenarioCorpus.Seed, MessageCount = DamageScenarioCorpus.Messages });

        ScanReport report = StoreScanner.Scan(Path.Combine(dir.Path, manifest.MessageFile), ScanOptions);

        Assert.DoesNotContain(report.Findings, f => f.Severity > Severity.Info);
        Assert.Equal(manifest.MessageCount, report.MessageRowsRead);
    }

    [Theory]
    [InlineData("mixed")]
    [InlineData("torn-wal-tail")] // SQLite's random WAL salts are replaced by seeded ones
    public void Generate_SameSeed_ByteIdenticalFiles(string scenario)
    {
        using var a = new TempDir();
        using var b = new TempDir();
        DamageScenarios.Generate(a.Path, scenario, MessageSchemaId.S10, seed: 3, messageCount: 90);
        DamageScenarios.Generate(b.Path, scenario, MessageSchemaId.S10, seed: 3, messageCount: 90);

        Assert.Equal(HashFiles(a.Path), HashFiles(b.Path));
        Assert.Contains(ScenarioManifest.FileName, HashFiles(a.Path).Keys);
    }

    [Theory]
    [InlineData("zeroed-interior-page", MessageSchemaId.S1, 100)] // fewer messages leave no interior page below the root
    [InlineData("semantic-damage", MessageSchemaId.S1, 60)]
    [InlineData("index-damage", MessageSchemaId.S10, 60)]
    [InlineData("torn-wal-tail", MessageSchemaId.S10, 60)]
    public void CommittedSample_RegeneratesByteForByte_AndScansAsItsManifestSays(string scenario, MessageSchemaId layout, int messages)
    {
        string repository = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(repository, "StoreForensics.sln")))
        {
            repository = Path.GetDirectoryName(repository) ?? throw new InvalidOperationException("repository root not found");
        }

        string committed = Path.Combine(repository, "samples", "corrupt-dbs", DamageScenarios.FolderName(scenario, layout));
        using var fresh = new TempDir();
        DamageScenarios.Generate(fresh.Path, scenario, layout, seed: 2026, messageCount: messages);

        Dictionary<string, string> committedHashes = HashFiles(committed);
        Assert.Equal(committedHashes, HashFiles(fresh.Path));
        Assert.All(Directory.GetFiles(committed), f => Assert.True(new FileInfo(f).Length < 256 * 1024, $"{f} is too large to commit"));

        ScenarioManifest manifest = ScenarioManifest.Load(Path.Combine(committed, ScenarioManifest.FileName));
        ScanReport report = StoreScanner.Scan(Path.Combine(committed, manifest.MessageFile), ScanOptions);
        Assert.All(manifest.ExpectedFindings, kind => Assert.True(report.Counts.ContainsKey(Enum.Parse<FindingKind>(kind)), kind));
        Assert.Equal(committedHashes, HashFiles(committed));
    }

    [Fact]
    public void Generate_WalOnlyRows_KeepsRowsInTheWalAndOutOfTheDatabaseFile()
    {
        (string directory, ScenarioManifest manifest) = corpus.Get("wal-only-rows", MessageSchemaId.S10);
        MessageTableSchema schema = NwakuSchemaCatalog.Get(MessageSchemaId.S10);
        var walOnly = manifest.Written.Where(w => w.InWalOnly).Select(w => w.Key).ToHashSet(StringComparer.Ordinal);

        using SqliteDatabase withWal = SqliteDatabase.Open(Path.Combine(directory, manifest.MessageFile));
        using SqliteDatabase fileOnly = SqliteDatabase.Open(Path.Combine(directory, manifest.MessageFile), new SqliteReadOptions { Overlay = JournalOverlay.None });

        Assert.NotEmpty(walOnly);
        Assert.Subset(withWal.ReadTable(manifest.MessageTable).Select(r => MessageRowValidator.FormatKey(schema, r.Values)).ToHashSet(StringComparer.Ordinal), walOnly);
        Assert.DoesNotContain(fileOnly.ReadTable(manifest.MessageTable), r => walOnly.Contains(MessageRowValidator.FormatKey(schema, r.Values)));
    }

    [Fact]
    public void Generate_ScenarioThatCannotBeBuilt_LeavesTheFolderAsItWas()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File(ScenarioManifest.FileName), "earlier");

        // 20 messages give a b-tree of one level: no interior page below the root to zero.
        Assert.Throws<InvalidOperationException>(() => DamageScenarios.Generate(dir.Path, "zeroed-interior-page", MessageSchemaId.S1, messageCount: 20));

        Assert.Equal([ScenarioManifest.FileName], Directory.GetFiles(dir.Path).Select(f => Path.GetFileName(f)));
        Assert.Equal("earlier", File.ReadAllText(dir.File(ScenarioManifest.FileName)));
    }

    [Fact]
    public void Generate_UnknownScenarioOrInapplicableLayout_Throws()
    {
        using var dir = new TempDir();
        Assert.Throws<ArgumentException>(() => DamageScenarios.Generate(dir.Path, "no-such-scenario", MessageSchemaId.S10));
        Assert.Throws<ArgumentException>(() => DamageScenarios.Generate(dir.Path, "index-damage", MessageSchemaId.S1));
    }

    private static bool TouchesDamage(SqliteDatabase db, ScenarioManifest manifest, RowLocation location)
    {
        const int walFrameHeader = 24; // fileformat2 §4.1
        (string File, long Offset) PageAt(uint page) =>
            db.Wal?.FindCommittedFrame(page) is { } frame
                ? (manifest.MessageFile + "-wal", frame.FileOffset(db.PageSize) + walFrameHeader)
                : (manifest.MessageFile, (long)(page - 1) * db.PageSize);

        var ranges = new List<(string File, long Offset, long Length)>();
        (string file, long offset) = PageAt(location.Row.Provenance.Page);
        ranges.Add((file, offset + location.Row.Provenance.CellOffset, location.CellSize));
        ranges.AddRange(location.OverflowPages.Select(p => { var at = PageAt(p); return (at.File, at.Offset, (long)db.PageSize); }));
        return ranges.Any(r => manifest.Damage.Any(d => d.File == r.File && d.Offset < r.Offset + r.Length && r.Offset < d.Offset + d.Length));
    }
}
