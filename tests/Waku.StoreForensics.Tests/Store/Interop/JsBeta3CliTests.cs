using System.Text.Json;
using Waku.StoreForensics.Cli;
using Waku.StoreForensics.Store;
using Waku.StoreForensics.Tests.Cli;

namespace Waku.StoreForensics.Tests.Store.Interop;

/// <summary><c>query --legacy beta3</c> and <c>probe</c> against the js-waku-protobuf beta3 peer: the July 2021
/// forensic question answered from the command line.</summary>
[Collection("js-libp2p")]
public class JsBeta3CliTests
{
    private static List<JsonElement> JsonLines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    [Theory]
    [InlineData(Beta3Encoding.Nwaku03To04, "v0.3-v0.4")]
    [InlineData(Beta3Encoding.Nwaku05To07, "v0.5-v0.7")]
    public async Task Probe_Beta3Node_ReportsTheEncodingItAnswersIn(Beta3Encoding encoding, string range)
    {
        await using var peer = await JsBeta3StorePeer.StartAsync(JsBeta3StorePeer.MakeMessages(10), encoding);

        var run = await CliRunner.RunAsync("probe", peer.Address.ToString(), "--json", "--expect", "store-beta3-client", "--timeout", "5");
        var text = await CliRunner.RunAsync("probe", peer.Address.ToString(), "--expect", "store-beta3-client", "--timeout", "5");

        Assert.True(run.ExitCode == ExitCodes.Healthy, run.Stderr + run.Stdout);
        var report = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.True(report.GetProperty("store_beta3_answered").GetBoolean());
        Assert.Equal(JsBeta3StorePeer.DefaultTopic, report.GetProperty("store_beta3_pubsub_topic").GetString());
        Assert.Equal(1, report.GetProperty("store_beta3_first_page_count").GetInt32());
        Assert.Equal(range, report.GetProperty("store_beta3_encoding").GetString());
        Assert.Equal("detected", report.GetProperty("store_beta3_encoding_source").GetString());
        Assert.StartsWith($"This node speaks beta3 with {range} field numbers", report.GetProperty("store_beta3_verdict").GetString(), StringComparison.Ordinal);
        Assert.Contains($"encoding {range} (Detected)", text.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Beta3Encoding.Nwaku03To04, null, "v0.3-v0.4", "detected")]
    [InlineData(Beta3Encoding.Nwaku05To07, null, "v0.5-v0.7", "detected")]
    [InlineData(Beta3Encoding.Nwaku05To07, "v0.5-v0.7", "v0.5-v0.7", "pinned")]
    public async Task Query_LegacyBeta3_MessagesInOrderAndTheEncodingInTheSummary(Beta3Encoding encoding, string? pin, string range, string source)
    {
        var served = JsBeta3StorePeer.MakeMessages(20);
        await using var peer = await JsBeta3StorePeer.StartAsync(served, encoding);
        string[] args = ["query", "--peer", peer.Address.ToString(), "--legacy", "beta3", "--pubsub-topic", JsBeta3StorePeer.DefaultTopic, "--page-size", "6", "--json", "--timeout", "5"];

        var run = await CliRunner.RunAsync(pin is null ? args : [.. args, "--beta3-encoding", pin]);

        Assert.True(run.ExitCode == ExitCodes.Healthy, run.Stderr);
        var lines = JsonLines(run.Stdout);
        var expected = served.Where(m => m.PubsubTopic == JsBeta3StorePeer.DefaultTopic).ToList();
        var printed = lines.Where(l => l.GetProperty("type").GetString() == "message").ToList();
        Assert.Equal(expected.Select(m => m.HashHex), printed.Select(m => m.GetProperty("message_hash").GetString()));
        Assert.Equal(expected.Select(m => m.DigestHex), printed.Select(m => m.GetProperty("digest").GetString()));
        var summary = lines.Single(l => l.GetProperty("type").GetString() == "summary");
        Assert.Equal(Beta3StoreClient.ProtocolId, summary.GetProperty("protocol").GetString());
        Assert.Equal(range, summary.GetProperty("beta3_encoding").GetString());
        Assert.Equal(source, summary.GetProperty("beta3_encoding_source").GetString());
        Assert.Contains($"beta3 encoding: {range} field numbers ({source})", run.Stderr, StringComparison.Ordinal);
        Assert.Equal("/vac/waku/store/2.0.0-beta3", (await peer.RequestsAsync(1))[0].GetProperty("protocol").GetString());
    }

    [Fact]
    public async Task Query_LegacyBeta3PinnedToTheOtherEncoding_Exit1WithEncodingMismatch()
    {
        await using var peer = await JsBeta3StorePeer.StartAsync(JsBeta3StorePeer.MakeMessages(10), Beta3Encoding.Nwaku05To07);

        var run = await CliRunner.RunAsync("query", "--peer", peer.Address.ToString(), "--legacy", "beta3", "--beta3-encoding", "v0.3-v0.4",
            "--pubsub-topic", JsBeta3StorePeer.DefaultTopic, "--json", "--timeout", "5");

        Assert.Equal(ExitCodes.DamageFound, run.ExitCode);
        var summary = JsonLines(run.Stdout).Single(l => l.GetProperty("type").GetString() == "summary");
        Assert.Equal("encoding_mismatch", summary.GetProperty("error").GetString());
        Assert.Equal("v0.3-v0.4", summary.GetProperty("beta3_encoding").GetString());
        Assert.Equal("pinned", summary.GetProperty("beta3_encoding_source").GetString());
    }

    [Theory]
    [InlineData("--beta3-encoding", "v0.5-v0.7")]
    [InlineData("--from", "2021-07-01T00:00:00Z")]
    public async Task Query_Beta3ArgumentsThatCannotWork_Exit2(string option, string value)
    {
        string[] legacy = option == "--beta3-encoding" ? ["--legacy"] : ["--legacy", "beta3"];

        var run = await CliRunner.RunAsync(["query", "--peer", "/ip4/127.0.0.1/tcp/9", .. legacy, "--pubsub-topic", JsBeta3StorePeer.DefaultTopic, option, value]);

        Assert.Equal(ExitCodes.CouldNotRun, run.ExitCode);
        Assert.Contains("error", run.Stderr, StringComparison.Ordinal);
    }
}
