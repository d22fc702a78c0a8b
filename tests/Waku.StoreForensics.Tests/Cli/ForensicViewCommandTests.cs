using System.Text.Json;
using Microsoft.Data.Sqlite;
using Waku.StoreForensics.Tests.Sqlite;

namespace Waku.StoreForensics.Tests.Cli;

public class ForensicViewCommandTests
{
    private static string CreateDatabase(TempDir dir, int rows)
    {
        string path = dir.File("cli.db");
        using var c = new SqliteConnection($"Data Source={path};Pooling=False");
        c.Open();
        RandomDatabase.Exec(c, "CREATE TABLE Message (id BLOB PRIMARY KEY, timestamp INTEGER NOT NULL, contentTopic BLOB NOT NULL, payload BLOB) WITHOUT ROWID");
        for (int i = 0; i < rows; i++)
        {
            using var cmd = c.CreateCommand();
            cmd.CommandText = "INSERT INTO Message VALUES ($id, $ts, $ct, $p)";
            cmd.Parameters.AddWithValue("$id", System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(i)));
            cmd.Parameters.AddWithValue("$ts", 1_625_800_000L + i);
            cmd.Parameters.AddWithValue("$ct", "/toy-chat/2/huilong/proto"u8.ToArray());
            cmd.Parameters.AddWithValue("$p", new byte[i % 5 == 0 ? 6000 : 40]);
            cmd.ExecuteNonQuery();
        }

        return path;
    }

    [Fact]
    public async Task Dump_Json_StreamsOneLinePerRowWithProvenance()
    {
        using var dir = new TempDir();
        string path = CreateDatabase(dir, 120);
        var result = await CliRunner.RunAsync("dump", path, "--table", "Message", "--json", "--blob-format", "hex");
        Assert.Equal(0, result.ExitCode);
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(120, lines.Length);
        var timestamps = new HashSet<long>();
        foreach (var line in lines)
        {
            using var doc = JsonDocument.Parse(line);
            Assert.True(doc.RootElement.GetProperty("page").GetInt64() > 1);
            var values = doc.RootElement.GetProperty("values");
            Assert.Equal(64, values.GetProperty("id").GetString()!.Length);
            timestamps.Add(values.GetProperty("timestamp").GetInt64());
        }

        Assert.Equal(Enumerable.Range(0, 120).Select(i => 1_625_800_000L + i).ToHashSet(), timestamps);
    }

    [Fact]
    public async Task Pages_Json_ClassifiesEveryPage()
    {
        using var dir = new TempDir();
        string path = CreateDatabase(dir, 120);
        var result = await CliRunner.RunAsync("pages", path, "--json");
        Assert.Equal(0, result.ExitCode);
        using var doc = JsonDocument.Parse(result.Stdout);
        var pages = doc.RootElement.GetProperty("pages").EnumerateArray().ToList();
        Assert.Equal(new FileInfo(path).Length / 4096, pages.Count);
        Assert.Contains(pages, p => p.GetProperty("kind").GetString() == "overflow" && p.GetProperty("owner").GetString() == "Message");
        Assert.DoesNotContain(pages, p => p.GetProperty("kind").GetString() == "orphan");
    }

    [Fact]
    public async Task Pages_DamagedFile_ExitsOneAndNamesTheDamage()
    {
        using var dir = new TempDir();
        string path = CreateDatabase(dir, 400);
        using (var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite))
        {
            file.SetLength(file.Length - 4096 * 3);
        }

        var result = await CliRunner.RunAsync("pages", path);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("FileTruncated", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("Missing", result.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("not-sqlite")]
    public async Task Dump_UnusableInput_ExitsTwoWithMessage(string kind)
    {
        using var dir = new TempDir();
        string path = dir.File("x.db");
        if (kind == "not-sqlite")
        {
            await File.WriteAllTextAsync(path, "hello");
        }

        var result = await CliRunner.RunAsync("dump", path);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error:", result.Stderr, StringComparison.Ordinal);
    }
}
