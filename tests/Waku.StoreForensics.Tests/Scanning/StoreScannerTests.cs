using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Waku.StoreForensics.Scanning;
using Waku.StoreForensics.Sqlite;
using Waku.StoreForensics.Tests.Cli;
using Waku.StoreForensics.Validation;

namespace Waku.StoreForensics.Tests.Scanning;

public class StoreScannerTests
{
    private static string Sample(string name) =>
        Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "samples", "corrupt-dbs", name, "store.sqlite3");

    [Theory]
    [InlineData("healthy-v0.4", "S1")]
    [InlineData("healthy-v0.37", "S10")]
    public void Scan_HealthySample_NoErrorsAndLayoutRecognised(string sample, string layout)
    {
        using var dir = new TempDir();
        string path = dir.File("store.sqlite3");
        File.Copy(Sample(sample), path);
        var before = SHA256.HashData(File.ReadAllBytes(path));
        var report = StoreScanner.Scan(path);
        Assert.True(report.Healthy, string.Join("\n", report.Findings));
        Assert.DoesNotContain(report.Findings, f => f.Severity != Severity.Info);
        Assert.Equal(layout, report.MessageLayout);
        Assert.Equal("ok", report.IntegrityCheck);
        Assert.True(report.MessageRowsRead > 0);
        Assert.Equal(Convert.ToHexStringLower(before), report.Inputs[0].Sha256);
        Assert.Equal(before, SHA256.HashData(File.ReadAllBytes(path)));
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void EveryReaderFindingKind_HasAScanFindingKind()
    {
        foreach (var kind in Enum.GetValues<SqliteFindingKind>())
        {
            var f = StoreScanner.ToFinding(new SqliteFinding(kind, SqliteFindingSeverity.Error, 3, 10, "x"));
            Assert.Equal(kind.ToString(), f.Kind.ToString());
            Assert.Equal(3, f.Location.Page);
        }
    }

    [Fact]
    public async Task ScanCli_TruncatedStore_ExitsOneWithFindingsInJson()
    {
        using var dir = new TempDir();
        string path = dir.File("store.sqlite3");
        File.Copy(Sample("healthy-v0.4"), path);
        using (var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite))
        {
            file.SetLength(file.Length - (4096 * 4));
        }

        var result = await CliRunner.RunAsync("scan", path, "--json");
        Assert.Equal(1, result.ExitCode);
        using var doc = System.Text.Json.JsonDocument.Parse(result.Stdout);
        var kinds = doc.RootElement.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("kind").GetString()).ToHashSet();
        Assert.Contains("file_truncated", kinds);
        Assert.Equal(64, doc.RootElement.GetProperty("inputs")[0].GetProperty("sha256").GetString()!.Length);
    }

    [Fact]
    public async Task ScanCli_MissingFile_ExitsTwo()
    {
        var result = await CliRunner.RunAsync("scan", "/nonexistent/store.sqlite3");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("no such file", result.Stderr, StringComparison.Ordinal);
    }
}
