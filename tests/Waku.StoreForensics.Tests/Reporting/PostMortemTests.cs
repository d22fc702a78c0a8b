using System.Text.Json;
using Waku.StoreForensics.Comparison;
using Waku.StoreForensics.Net.Probe;
using Waku.StoreForensics.Recovery;
using Waku.StoreForensics.Reporting;
using Waku.StoreForensics.Reseed;
using Waku.StoreForensics.Scanning;
using Waku.StoreForensics.Tests.Cli;

namespace Waku.StoreForensics.Tests.Reporting;

public class PostMortemTests
{
    private static string Sample(string name) =>
        Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "samples", "corrupt-dbs", name, "store.sqlite3");

    private static string Write(TempDir dir, string name, object report)
    {
        string path = dir.File(name);
        File.WriteAllText(path, JsonSerializer.Serialize(report, report.GetType(), ReportJson.Options));
        return path;
    }

    private static ReseedReport Reseed(string path, bool complete) => new()
    {
        Before = [new EvidenceFile(path, 10, new string('a', 64))],
        After = [new EvidenceFile(path, 20, new string('b', 64))],
        MessageLayout = "S10",
        DryRun = false,
        ScanVerdict = "healthy",
        LocalRowsBefore = 90,
        LocalRowsAfter = complete ? 100 : 95,
        Missing = 10,
        Inserted = complete ? 10 : 5,
        AlreadyPresent = 0,
        BytesReceived = 1100,
        MissingMessageBytes = 1000,
        Complete = complete,
        Peers = [new ReseedPeerResult("/ip4/127.0.0.1/tcp/60000", "/vac/waku/store-query/3.0.0", ReseedMethod.HashDiff, complete, complete ? null : "stream reset", 100, 10, 5, 0, 1, 1100)],
        Rejected = [],
        MissingHashes = [],
        Seconds = 1.5,
    };

    [Fact]
    public void Read_EachReportWrittenAsJson_ComesBackAsItsType()
    {
        using var dir = new TempDir();
        string damaged = Sample("zeroed-interior-page-v0.4");
        var scan = StoreScanner.Scan(damaged);
        var recovery = StoreRecovery.Recover(damaged, new RecoveryOptions { OutputPath = dir.File("out.db") });
        var diff = StoreDiff.Compare(damaged, dir.File("out.db"));

        var scanBack = Assert.IsType<ScanReport>(ReportJson.Read(Write(dir, "scan.json", scan)));
        var recoveryBack = Assert.IsType<RecoveryReport>(ReportJson.Read(Write(dir, "recover.json", recovery)));
        var diffBack = Assert.IsType<StoreDiffReport>(ReportJson.Read(Write(dir, "diff.json", diff)));
        var reseedBack = Assert.IsType<ReseedReport>(ReportJson.Read(Write(dir, "reseed.json", Reseed(dir.File("out.db"), complete: true))));

        Assert.Equal(scan.Findings.Select(f => (f.Kind, f.Location)), scanBack.Findings.Select(f => (f.Kind, f.Location)));
        Assert.Equal(recovery.Counts, recoveryBack.Counts);
        Assert.Equal(recovery.UnprovenColumns, recoveryBack.UnprovenColumns);
        Assert.Equal(diff.Messages.OnlyRight, diffBack.Messages.OnlyRight);
        Assert.Equal(ReseedMethod.HashDiff, reseedBack.Peers[0].Method);
    }

    [Fact]
    public void ToMarkdown_ProbeOfANodeAnOldClientCannotUse_ShowsItAndListsItAsOpen()
    {
        // The July 2021 shape: the node answers beta3 in the v0.5+ encoding; a client expecting the old one cannot read it.
        var probe = new ProbeReport
        {
            Address = "/ip4/10.0.0.1/tcp/30303/p2p/16Uiu2HAmPeer",
            Connected = true,
            AgentVersion = "nim-waku v0.5",
            StoreBeta3Answered = true,
            StoreBeta3Encoding = "v0.5-v0.7",
            StoreBeta3Verdict = "This node speaks beta3 with v0.5-v0.7 field numbers: a v0.3/v0.4 client reads its answers as empty.",
            Verdicts = [new CompatibilityVerdict("js-waku-2021-07", "js-waku (July 2021)", false, ["/vac/waku/store/2.0.0-beta3 (v0.3-v0.4)"], true, "")],
        };
        using var dir = new TempDir();
        var back = Assert.IsType<ProbeReport>(ReportJson.Read(Write(dir, "probe.json", probe)));

        string md = PostMortem.ToMarkdown([back], DateTimeOffset.UnixEpoch);

        Assert.Contains("| `/ip4/10.0.0.1/tcp/30303/p2p/16Uiu2HAmPeer` | yes | nim-waku v0.5 | – | – | answers, v0.5-v0.7 encoding | js-waku (July 2021) (missing /vac/waku/store/2.0.0-beta3 (v0.3-v0.4)) |", md, StringComparison.Ordinal);
        Assert.Contains(probe.StoreBeta3Verdict, md, StringComparison.Ordinal);
        Assert.Contains("- js-waku (July 2021) cannot use `/ip4/10.0.0.1/tcp/30303/p2p/16Uiu2HAmPeer`", md, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ReportNamingNoInputFile_IsInvalidData()
    {
        // Every report this tool writes names its inputs with their SHA-256; one without them is not ours (or was edited).
        using var dir = new TempDir();
        var scan = StoreScanner.Scan(Sample("healthy-v0.37")) with { Inputs = [] };

        var e = Assert.Throws<InvalidDataException>(() => ReportJson.Read(Write(dir, "scan.json", scan)));
        Assert.Contains("names no input file", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"name\": \"not a report\"}")]
    [InlineData("[1, 2, 3]")]
    [InlineData("not json at all")]
    [InlineData("{\"messages_written\": \"many\"}")]
    public void Read_SomethingElse_IsInvalidData(string text)
    {
        using var dir = new TempDir();
        string path = dir.File("x.json");
        File.WriteAllText(path, text);

        Assert.Throws<InvalidDataException>(() => ReportJson.Read(path));
    }

    [Fact]
    public void ToMarkdown_DamagedStoreRecoveredAndRefilled_NamesEvidenceProofAndOpenItems()
    {
        using var dir = new TempDir();
        string damaged = Sample("zeroed-interior-page-v0.4");
        var scan = StoreScanner.Scan(damaged);
        var recovery = StoreRecovery.Recover(damaged, new RecoveryOptions { OutputPath = dir.File("out.db") });

        string md = PostMortem.ToMarkdown([scan, recovery, Reseed(dir.File("out.db"), complete: false)], new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));

        Assert.Contains("Written 2026-11-26 12:00:00 UTC", md, StringComparison.Ordinal);
        Assert.Contains($"`{scan.Inputs[0].Sha256}` | scan, recover (input) |", md, StringComparison.Ordinal);
        Assert.Contains("Verdict: **damaged**", md, StringComparison.Ordinal);
        Assert.Contains($"Written: {recovery.MessagesWritten:N0} messages", md, StringComparison.Ordinal);
        Assert.Contains("| message | orphan page | Written |", md, StringComparison.Ordinal);
        Assert.Contains("- `timestamp`: not proven in", md, StringComparison.Ordinal);
        Assert.Contains("has more than one hash above", md, StringComparison.Ordinal); // reseed changed out.db
        string open = md[md.IndexOf("## Open items", StringComparison.Ordinal)..];
        Assert.Contains("did not complete (5 of 10 missing message(s) not inserted)", open, StringComparison.Ordinal);
        Assert.Contains("`pubsubTopic` of", open, StringComparison.Ordinal);
        Assert.DoesNotContain("no recover report", open, StringComparison.Ordinal); // the damaged file was recovered
    }

    [Fact]
    public void ToMarkdown_ScanOfDamagedFileAlone_SaysRecoverIsMissing_HealthyHasNoOpenItems()
    {
        var damaged = PostMortem.ToMarkdown([StoreScanner.Scan(Sample("zeroed-interior-page-v0.4"))], DateTimeOffset.UnixEpoch);
        var healthy = PostMortem.ToMarkdown([StoreScanner.Scan(Sample("healthy-v0.37"))], DateTimeOffset.UnixEpoch);

        Assert.Contains("is damaged and no recover report of that file", damaged, StringComparison.Ordinal);
        Assert.EndsWith("None found in these reports." + Environment.NewLine, healthy, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => PostMortem.ToMarkdown(["a string"], DateTimeOffset.UnixEpoch));
    }

    [Fact]
    public async Task Cli_ScanRecoverDiffThenReport_WritesTheMarkdownAtomically()
    {
        using var dir = new TempDir();
        string damaged = Sample("zeroed-interior-page-v0.4");
        string output = dir.File("out.db");
        var scan = await CliRunner.RunAsync("scan", damaged, "--json");
        var recover = await CliRunner.RunAsync("recover", damaged, "--out", output, "--json");
        var diff = await CliRunner.RunAsync("diff", damaged, output, "--json");
        File.WriteAllText(dir.File("scan.json"), scan.Stdout);
        File.WriteAllText(dir.File("recover.json"), recover.Stdout);
        File.WriteAllText(dir.File("diff.json"), diff.Stdout);

        var report = await CliRunner.RunAsync("report", dir.File("scan.json"), dir.File("recover.json"), dir.File("diff.json"), "--out", dir.File("pm.md"));

        Assert.Equal(0, report.ExitCode);
        string md = File.ReadAllText(dir.File("pm.md"));
        Assert.StartsWith("# Post-mortem: store.sqlite3", md, StringComparison.Ordinal);
        Assert.Contains("## Checked by comparison (diff)", md, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(dir.Path, "pm.md.tmp-*"));

        File.WriteAllText(dir.File("bad.json"), "{}");
        var bad = await CliRunner.RunAsync("report", dir.File("bad.json"));
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("not a report", bad.Stderr, StringComparison.Ordinal);
    }
}
