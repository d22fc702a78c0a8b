using Microsoft.Data.Sqlite;
using Waku.StoreForensics.Comparison;
using Waku.StoreForensics.Recovery;
using Waku.StoreForensics.Reporting;
using Waku.StoreForensics.Reseed;
using Waku.StoreForensics.SampleGenerator;
using Waku.StoreForensics.Scanning;
using Waku.StoreForensics.Schema;
using Waku.StoreForensics.Sqlite;
using Waku.StoreForensics.Store;
using Waku.StoreForensics.Tests.Cli;
using Waku.StoreForensics.Tests.Store.Interop;

namespace Waku.StoreForensics.Tests.Reseed;

/// <summary>The whole repair: damage a store, recover it, reseed it from a peer that holds the full history.</summary>
[Collection("js-libp2p")]
public class ReseedEndToEndTests
{
    private static string Schema(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT group_concat(sql, ';') FROM (SELECT sql FROM sqlite_schema ORDER BY name); ";
        string sql = (string)command.ExecuteScalar()!;
        command.CommandText = "PRAGMA user_version;";
        return $"{sql} / user_version {command.ExecuteScalar()}";
    }

    [Fact]
    public async Task ZeroedPage_RecoverThenReseed_EqualsTheOriginalRowForRow()
    {
        using var dir = new TempDir();
        string folder = Directory.CreateDirectory(dir.File("original")).FullName;
        SampleStoreGenerator.Generate(folder, new SampleStoreOptions { Layout = MessageSchemaId.S10, MessageCount = 600, Seed = 11, PeerCount = 0 });
        string original = Path.Combine(folder, SampleStoreGenerator.MessageFileName);
        var history = ReseedTestStores.Messages(original, MessageSchemaId.S10);

        // Damage a copy: zero the page that holds the middle row (its cells, and the subtree below when interior).
        string damaged = dir.File("damaged.sqlite3");
        File.Copy(original, damaged);
        int pageSize;
        uint page;
        using (var db = SqliteDatabase.Open(original))
        {
            pageSize = db.Header.PageSize;
            var entry = db.FindObject("message")!;
            var rows = db.ReadRows(entry.RootPage, db.GetTableDefinition(entry.Name)).ToList();
            page = rows[rows.Count / 2].Provenance.Page;
            Assert.NotEqual(entry.RootPage, page);
        }

        await using (var file = new FileStream(damaged, FileMode.Open, FileAccess.Write))
        {
            file.Position = (long)(page - 1) * pageSize;
            await file.WriteAsync(new byte[pageSize]);
        }

        string recovered = dir.File("recovered.sqlite3");
        var recovery = StoreRecovery.Recover(damaged, new RecoveryOptions { OutputPath = recovered });
        long lost = history.Count - ReseedTestStores.Rows(recovered, MessageSchemaId.S10).Count;
        Assert.True(lost > 0, "the zeroed page must cost rows, or this test proves nothing");

        await using var peer = await JsStorePeer.StartAsync(history);
        var report = await StoreReseeder.ReseedAsync(recovered, [peer.Address], new ReseedOptions
        {
            Client = new StoreClientOptions { RequestTimeout = TimeSpan.FromSeconds(5), MaxRetries = 0 },
        });

        Assert.True(report.Complete, string.Join("; ", report.Peers.Select(p => p.Error)));
        Assert.Equal("healthy", report.ScanVerdict);
        Assert.Equal(lost, report.Inserted);
        Assert.Equal(ReseedTestStores.Rows(original, MessageSchemaId.S10), ReseedTestStores.Rows(recovered, MessageSchemaId.S10));
        Assert.Equal(Schema(original), Schema(recovered));
        Assert.Equal(recovery.Inputs[0].Sha256, StoreRecoveryEvidence(damaged));

        // The same, as a user checks and writes it up: diff says identical, and the post-mortem's only open items are
        // the columns no key covers (S10: version, id).
        var diff = StoreDiff.Compare(original, recovered);
        Assert.True(diff.Identical, string.Join("\n", diff.Messages.Listed));
        var scan = StoreScanner.Scan(damaged);
        string postMortem = PostMortem.ToMarkdown([scan, recovery, report, diff], DateTimeOffset.UnixEpoch);
        var open = postMortem[postMortem.IndexOf("## Open items", StringComparison.Ordinal)..].Split('\n').Where(l => l.StartsWith("- ", StringComparison.Ordinal)).ToList();
        Assert.Equal(recovery.UnprovenColumns.Count, open.Count);
        Assert.All(open, line => Assert.Contains("is not covered by any key", line, StringComparison.Ordinal));
        Assert.Contains("**identical**", postMortem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cli_ReseedJson_ThenDryRunFindsNothingMissing()
    {
        using var dir = new TempDir();
        var history = JsStorePeer.MakeMessages(90).Where(m => m.Timestamp > 0).ToList();
        string db = ReseedTestStores.Create(dir.File("store.sqlite3"), MessageSchemaId.S10, history.Where((_, i) => i % 2 == 0));
        await using var peer = await JsStorePeer.StartAsync(history);

        var run = await CliRunner.RunAsync("reseed", db, "--peer", peer.Address.ToString(), "--json", "--timeout", "5");

        Assert.True(run.ExitCode == 0, run.Stderr);
        using var json = System.Text.Json.JsonDocument.Parse(run.Stdout);
        var root = json.RootElement;
        Assert.True(root.GetProperty("complete").GetBoolean());
        Assert.Equal(history.Count / 2, root.GetProperty("inserted").GetInt64());
        Assert.Equal("hash_diff", root.GetProperty("peers")[0].GetProperty("method").GetString());
        Assert.Equal(64, root.GetProperty("before")[0].GetProperty("sha256").GetString()!.Length);

        var dry = await CliRunner.RunAsync("reseed", db, "--peer", peer.Address.ToString(), "--dry-run", "--timeout", "5");
        Assert.True(dry.ExitCode == 0, dry.Stderr);
        Assert.Contains("missing 0, inserted 0", dry.Stdout, StringComparison.Ordinal);
        Assert.Contains("dry run: nothing written", dry.Stdout, StringComparison.Ordinal);

        var unreachable = await CliRunner.RunAsync("reseed", db, "--peer", "/ip4/127.0.0.1/tcp/9", "--timeout", "2");
        Assert.Equal(Waku.StoreForensics.Cli.ExitCodes.CouldNotRun, unreachable.ExitCode);
        Assert.Contains("INCOMPLETE", unreachable.Stdout, StringComparison.Ordinal);
    }

    private static string StoreRecoveryEvidence(string path) => Waku.StoreForensics.Scanning.StoreScanner.HashEvidence(path)[0].Sha256;
}
