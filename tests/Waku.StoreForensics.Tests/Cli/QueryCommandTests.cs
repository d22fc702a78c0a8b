using System.Text.Json;
using Waku.StoreForensics.Cli;
using Waku.StoreForensics.Tests.Store.Interop;

namespace Waku.StoreForensics.Tests.Cli;

/// <summary>The real CLI's <c>query</c> against the js store peer.</summary>
[Collection("js-libp2p")]
public class QueryCommandTests
{
    private static List<JsonElement> JsonLines(string stdout) =>
        stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    [Fact]
    public async Task Query_Json_PrintsEveryMessageInOrderAndACompleteSummary()
    {
        var served = JsStorePeer.MakeMessages(23);
        await using var peer = await JsStorePeer.StartAsync(served);

        var run = await CliRunner.RunAsync("query", "--peer", peer.Address.ToString(), "--page-size", "5", "--json", "--timeout", "5");

        Assert.True(run.ExitCode == ExitCodes.Healthy, run.Stderr);
        var lines = JsonLines(run.Stdout);
        var messages = lines.Where(l => l.GetProperty("type").GetString() == "message").ToList();
        var expected = JsStorePeer.InStoreOrder(served);
        Assert.Equal(expected.Select(m => m.HashHex), messages.Select(m => m.GetProperty("message_hash").GetString()));
        Assert.Equal(expected.Select(m => Convert.ToBase64String(m.Payload)), messages.Select(m => m.GetProperty("payload").GetString()));
        Assert.Equal(expected.Select(m => m.Timestamp), messages.Select(m => m.GetProperty("timestamp").GetInt64()));
        var summary = lines[^1];
        Assert.Equal("summary", summary.GetProperty("type").GetString());
        Assert.True(summary.GetProperty("complete").GetBoolean());
        Assert.Equal(5, summary.GetProperty("pages").GetInt32());
    }

    [Fact]
    public async Task Query_HashesOnlyWithFilters_PrintsTheMatchingHashes()
    {
        var served = JsStorePeer.MakeMessages(40);
        await using var peer = await JsStorePeer.StartAsync(served);
        string topic = JsStorePeer.ContentTopics[1];

        var run = await CliRunner.RunAsync("query", "--peer", peer.Address.ToString(), "--hashes-only", "--pubsub-topic", JsStorePeer.PubsubA,
            "--content-topic", topic, "--from", "2024-11-19T07:06:40.010Z", "--timeout", "5");

        Assert.True(run.ExitCode == ExitCodes.Healthy, run.Stderr);
        long from = JsStorePeer.BaseTime + 10_000_000; // 2024-11-19T07:06:40.010Z
        Assert.Contains(served, m => m.PubsubTopic == JsStorePeer.PubsubA && m.ContentTopic == topic && m.Timestamp < from && m.Timestamp > 0);
        var expected = JsStorePeer.InStoreOrder(served.Where(m => m.PubsubTopic == JsStorePeer.PubsubA && m.ContentTopic == topic && m.Timestamp >= from));
        Assert.NotEmpty(expected);
        Assert.Equal(expected.Select(m => m.HashHex + "  " + JsStorePeer.PubsubA), run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Query_WrongHashes_Exit1ReportsRejectionsPrintsOnlyValidMessages()
    {
        var served = JsStorePeer.MakeMessages(12);
        await using var peer = await JsStorePeer.StartAsync(served, new { fault = "wrong-hash", wrongHashes = new[] { 4 } });

        var run = await CliRunner.RunAsync("query", "--peer", peer.Address.ToString(), "--json", "--timeout", "5");

        Assert.Equal(ExitCodes.DamageFound, run.ExitCode);
        var lines = JsonLines(run.Stdout);
        Assert.Equal(11, lines.Count(l => l.GetProperty("type").GetString() == "message"));
        Assert.DoesNotContain(lines, l => l.GetProperty("type").GetString() == "message" && l.GetProperty("message_hash").GetString() == served[4].HashHex);
        var rejected = Assert.Single(lines, l => l.GetProperty("type").GetString() == "rejected");
        Assert.Equal("hash_mismatch", rejected.GetProperty("reason").GetString());
        Assert.Contains("HashMismatch", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Query_NodeAnswers429_Exit1WithTheStatusInTheSummary()
    {
        await using var peer = await JsStorePeer.StartAsync(JsStorePeer.MakeMessages(2), new { fault = "status", faultPage = 1, status = 429 });

        var run = await CliRunner.RunAsync("query", "--peer", peer.Address.ToString(), "--json", "--timeout", "5");

        Assert.Equal(ExitCodes.DamageFound, run.ExitCode);
        var summary = JsonLines(run.Stdout)[^1];
        Assert.False(summary.GetProperty("complete").GetBoolean());
        Assert.Equal("remote_status", summary.GetProperty("error").GetString());
        Assert.Equal(429, summary.GetProperty("status_code").GetInt32());
    }

    [Fact]
    public async Task Query_Legacy_PrintsTheTopicsMessagesInLegacyOrder()
    {
        var served = JsStorePeer.MakeMessages(20);
        await using var peer = await JsStorePeer.StartAsync(served);

        var run = await CliRunner.RunAsync("query", "--peer", peer.Address.ToString(), "--legacy", "--pubsub-topic", JsStorePeer.PubsubA, "--page-size", "6", "--json", "--timeout", "5");

        Assert.True(run.ExitCode == ExitCodes.Healthy, run.Stderr);
        var messages = JsonLines(run.Stdout).Where(l => l.GetProperty("type").GetString() == "message");
        var expected = JsStorePeer.InLegacyOrder(served.Where(m => m.PubsubTopic == JsStorePeer.PubsubA));
        Assert.Equal(expected.Select(m => m.HashHex), messages.Select(m => m.GetProperty("message_hash").GetString()));
        var request = (await peer.RequestsAsync(1))[0];
        Assert.Equal("/vac/waku/store/2.0.0-beta4", request.GetProperty("protocol").GetString());
    }

    [Fact]
    public async Task Query_LegacyWithoutPubsubTopic_Exit2()
    {
        var run = await CliRunner.RunAsync("query", "--peer", "/ip4/127.0.0.1/tcp/9", "--legacy");

        Assert.Equal(ExitCodes.CouldNotRun, run.ExitCode);
        Assert.Contains("--pubsub-topic", run.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--page-size", "0")]
    [InlineData("--page-size", "101")]
    [InlineData("--from", "yesterday-ish")]
    [InlineData("--hash", "abcd")]
    public async Task Query_BadArguments_Exit2(string option, string value)
    {
        var run = await CliRunner.RunAsync("query", "--peer", "/ip4/127.0.0.1/tcp/9", option, value);

        Assert.Equal(ExitCodes.CouldNotRun, run.ExitCode);
        Assert.Contains("error", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Query_NothingListening_Exit2()
    {
        var run = await CliRunner.RunAsync("query", "--peer", "/ip4/127.0.0.1/tcp/9", "--timeout", "2");

        Assert.Equal(ExitCodes.CouldNotRun, run.ExitCode);
        Assert.Contains("cannot reach", run.Stderr, StringComparison.Ordinal);
    }
}
