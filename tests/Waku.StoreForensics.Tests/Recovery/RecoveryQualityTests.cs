using Microsoft.Data.Sqlite;
using Waku.StoreForensics.Recovery;
using Waku.StoreForensics.SampleGenerator;
using Waku.StoreForensics.Schema;
using Waku.StoreForensics.Sqlite;
using Waku.StoreForensics.Tests.Samples;
using Waku.StoreForensics.Validation;

namespace Waku.StoreForensics.Tests.Recovery;

/// <summary>
/// The quality bar of recovery on every damage scenario: at least 99 % of the rows physically intact in the
/// damaged bytes come back exactly (every column), and no emitted row differs from a row that was written.
/// </summary>
public class RecoveryQualityTests(DamageScenarioCorpus corpus) : IClassFixture<DamageScenarioCorpus>
{
    private static readonly RowValidationOptions Validation = new() { Now = new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero) };

    public static TheoryData<string, MessageSchemaId> Cases() => DamageScenarioTests.Cases();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Recover_Scenario_IntactRowsBackExactlyAndNoWrongRow(string scenario, MessageSchemaId layout)
    {
        var (directory, manifest) = corpus.Get(scenario, layout);
        string input = Path.Combine(directory, manifest.MessageFile);
        using var output = new TempDir();
        var report = StoreRecovery.Recover(input, new RecoveryOptions { OutputPath = output.File("out.db"), Validation = Validation });
        Assert.True(report.OutputVerified);

        var written = manifest.Written.ToDictionary(w => w.Key, w => w.Fingerprint, StringComparer.Ordinal);
        var alteredTo = manifest.Altered.Select(a => a.NewFingerprint).ToHashSet(StringComparer.Ordinal);
        var altered = manifest.Altered.SelectMany(a => new[] { a.Key, a.NewKey }).ToHashSet(StringComparer.Ordinal);
        var deleted = manifest.Deleted.ToHashSet(StringComparer.Ordinal);
        var schema = NwakuSchemaCatalog.Get(layout);
        var recovered = new Dictionary<string, string>(StringComparer.Ordinal);
        using (var db = SqliteDatabase.Open(output.File("out.db")))
        {
            foreach (var row in db.ReadTable(schema.TableName))
            {
                string key = MessageRowValidator.FormatKey(schema, row.Values);
                string fingerprint = RowFingerprint.Of(row.Values);
                Assert.True(written.ContainsValue(fingerprint) || alteredTo.Contains(fingerprint),
                    $"{scenario}/{layout}: emitted row {key} differs from every row written");
                Assert.DoesNotContain(key, deleted);
                recovered[key] = fingerprint;
            }
        }

        // Rows changed by SQL into something nwaku never writes (wrong key, garbled topic) are intact bytes but
        // invalid rows: they belong in quarantine, not in the output.
        var intact = manifest.Intact.Where(k => !altered.Contains(k)).ToList();
        int exact = intact.Count(k => recovered.TryGetValue(k, out var f) && f == written[k]);
        Assert.True(exact >= Math.Ceiling(intact.Count * 0.99), $"{scenario}/{layout}: {exact} of {intact.Count} intact rows recovered exactly; missing {string.Join(", ", intact.Where(k => !(recovered.TryGetValue(k, out var f) && f == written[k])).Take(10))}");
    }

    [Theory]
    [InlineData("deleted-rows", MessageSchemaId.S1)]
    [InlineData("deleted-rows", MessageSchemaId.S10)]
    public void Recover_IncludeDeleted_BringsBackIntactDeletedRows(string scenario, MessageSchemaId layout)
    {
        var (directory, manifest) = corpus.Get(scenario, layout);
        using var output = new TempDir();
        StoreRecovery.Recover(Path.Combine(directory, manifest.MessageFile), new RecoveryOptions { OutputPath = output.File("out.db"), IncludeDeleted = true, Validation = Validation });
        var written = manifest.Written.ToDictionary(w => w.Key, w => w.Fingerprint, StringComparer.Ordinal);
        var schema = NwakuSchemaCatalog.Get(layout);
        using var db = SqliteDatabase.Open(output.File("out.db"));
        var recovered = db.ReadTable(schema.TableName).ToDictionary(r => MessageRowValidator.FormatKey(schema, r.Values), r => RowFingerprint.Of(r.Values), StringComparer.Ordinal);
        Assert.All(recovered, r => Assert.Equal(written[r.Key], r.Value));
        int back = manifest.DeletedIntact.Count(recovered.ContainsKey);
        Assert.NotEmpty(manifest.DeletedIntact);
        Assert.True(back >= Math.Ceiling(manifest.DeletedIntact.Count * 0.99), $"{back} of {manifest.DeletedIntact.Count} intact deleted rows back; missing {string.Join(", ", manifest.DeletedIntact.Where(k => !recovered.ContainsKey(k)))} in {directory}");
    }
}
