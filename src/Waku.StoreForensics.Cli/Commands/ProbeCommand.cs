using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Waku.StoreForensics.Net;
using Waku.StoreForensics.Net.Crypto;
using Waku.StoreForensics.Net.Metadata;
using Waku.StoreForensics.Net.Multiformats;
using Waku.StoreForensics.Net.Probe;

namespace Waku.StoreForensics.Cli.Commands;

/// <summary><c>probe &lt;multiaddr&gt;</c>: dial a node, identify, ping, and judge it against known clients.</summary>
public static class ProbeCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var address = new Argument<string>("multiaddr") { Description = "Node address, e.g. /ip4/1.2.3.4/tcp/60000/p2p/16Uiu2…" };
        var json = new Option<bool>("--json") { Description = "Write the report as JSON." };
        var expect = new Option<string[]>("--expect")
        {
            Description = "Client IDs whose needs decide the exit code (repeatable). Known: " + string.Join(", ", KnownClients.All.Select(c => c.Id)),
            DefaultValueFactory = _ => [KnownClients.StoreForensicsReseed],
            AllowMultipleArgumentsPerToken = true,
        };
        var timeout = new Option<double>("--timeout") { Description = "Seconds allowed for connect and for the handshake each.", DefaultValueFactory = _ => 10 };
        var clusterId = new Option<uint>("--cluster-id") { Description = "Cluster ID answered on /vac/waku/metadata/1.0.0.", DefaultValueFactory = _ => 1 };
        var shards = new Option<uint[]>("--shard") { Description = "Shards answered on metadata (repeatable).", DefaultValueFactory = _ => [0, 1, 2, 3, 4, 5, 6, 7], AllowMultipleArgumentsPerToken = true };
        var noEarly = new Option<bool>("--no-early-muxer") { Description = "Do not list muxers in the Noise handshake (negotiate them nim-style)." };

        var command = new Command("probe", "Dial a Waku node over libp2p: identify, ping, cluster and a compatibility verdict. Exit 0 when the expected clients are served, 1 when an expected protocol is missing, 2 when the dial or handshake fails (refused, timeout, noise failure, peer ID mismatch, no common muxer) or the arguments are bad.")
        {
            address, json, expect, timeout, clusterId, shards, noEarly,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!Multiaddress.TryParse(parse.GetValue(address)!, out var target))
            {
                try
                {
                    Multiaddress.Parse(parse.GetValue(address)!);
                }
                catch (Exception e) when (e is FormatException or Libp2pException)
                {
                    await Console.Error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
                }

                return ExitCodes.CouldNotRun;
            }

            var expected = parse.GetValue(expect) ?? [];
            var unknown = expected.Where(e => KnownClients.Find(e) is null).ToArray();
            if (unknown.Length > 0)
            {
                await Console.Error.WriteLineAsync($"error: unknown client(s) {string.Join(", ", unknown)}; known: {string.Join(", ", KnownClients.All.Select(c => c.Id))}").ConfigureAwait(false);
                return ExitCodes.CouldNotRun;
            }

            var seconds = TimeSpan.FromSeconds(Math.Max(0.1, parse.GetValue(timeout)));
            using var identity = Identity.CreateSecp256k1();
            var options = new Libp2pHostOptions(identity)
            {
                ConnectTimeout = seconds,
                HandshakeTimeout = seconds,
                StreamNegotiationTimeout = seconds,
                HandlerTimeout = seconds,
                EarlyMuxerNegotiation = !parse.GetValue(noEarly),
                WakuMetadata = new WakuMetadataOptions(parse.GetValue(clusterId), parse.GetValue(shards) ?? []),
            };

            ProbeReport report;
            try
            {
                report = await NodeProbe.ProbeAsync(target!, options, expected, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return ExitCodes.Cancelled;
            }

            await Console.Out.WriteAsync(parse.GetValue(json) ? JsonSerializer.Serialize(report, JsonOutput.Options) + Environment.NewLine : Render(report)).ConfigureAwait(false);
            if (!report.Connected)
            {
                await Console.Error.WriteLineAsync($"probe failed: {report.FailureReason}: {report.FailureMessage}").ConfigureAwait(false);
                return ExitCodes.CouldNotRun;
            }

            return report.Satisfied ? ExitCodes.Healthy : ExitCodes.DamageFound;
        });
        return command;
    }

    /// <summary>The plain-text rendering of a report.</summary>
    public static string Render(ProbeReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.AppendLine(inv, $"node      {report.Address}");
        if (!report.Connected)
        {
            sb.AppendLine(inv, $"result    FAILED ({report.FailureReason}) {report.FailureMessage}");
            return sb.ToString();
        }

        sb.AppendLine(inv, $"peer      {report.PeerId}");
        sb.AppendLine(inv, $"agent     {report.AgentVersion}  ({report.ProtocolVersion})");
        sb.AppendLine(inv, $"muxer     {report.Muxer}{(report.MuxerNegotiatedEarly == true ? " (chosen in the Noise handshake)" : " (multistream-select)")}");
        sb.AppendLine(report.PingMilliseconds is { } ms ? string.Create(inv, $"ping      {ms:0.0} ms") : $"ping      failed: {report.PingError}");
        if (report.ClusterId is { } cluster)
        {
            sb.AppendLine(inv, $"cluster   {cluster}, shards {string.Join(",", report.Shards ?? [])}");
        }
        else if (report.MetadataError is { } metadataError)
        {
            sb.AppendLine(inv, $"cluster   metadata request failed: {metadataError}");
        }
        if (report.StoreV3Answered is true)
        {
            sb.AppendLine(inv, $"store v3  answers ({(report.StoreV3FirstPageCount > 0 ? "holds messages" : "empty first page")})");
        }
        else if (report.StoreV3Answered is false)
        {
            sb.AppendLine(inv, $"store v3  query failed: {report.StoreV3Error}");
        }

        if (report.StoreLegacyAnswered is true)
        {
            sb.AppendLine(inv, $"store v2  answers on {report.StoreLegacyPubsubTopic} ({(report.StoreLegacyFirstPageCount > 0 ? "holds messages" : "empty first page")})");
        }
        else if (report.StoreLegacyAnswered is false)
        {
            sb.AppendLine(inv, $"store v2  query on {report.StoreLegacyPubsubTopic} failed: {report.StoreLegacyError}");
        }

        if (report.StoreBeta3Answered is true)
        {
            sb.AppendLine(inv, $"store b3  answers on {report.StoreBeta3PubsubTopic} ({(report.StoreBeta3FirstPageCount > 0 ? "holds messages" : "empty first page")}), encoding {report.StoreBeta3Encoding ?? "unknown"} ({report.StoreBeta3EncodingSource})");
            sb.AppendLine(inv, $"          {report.StoreBeta3Verdict}");
        }
        else if (report.StoreBeta3Answered is false)
        {
            sb.AppendLine(inv, $"store b3  query on {report.StoreBeta3PubsubTopic} failed: {report.StoreBeta3Error}");
        }

        sb.AppendLine();
        int width = Math.Max(8, report.Protocols.Count == 0 ? 8 : report.Protocols.Max(p => p.Name.Length));
        sb.AppendLine(inv, $"{"protocol".PadRight(width)}  version");
        foreach (var p in report.Protocols)
        {
            sb.AppendLine(inv, $"{p.Name.PadRight(width)}  {p.Version}");
        }

        sb.AppendLine();
        int clientWidth = report.Verdicts.Max(v => v.ClientId.Length);
        sb.AppendLine(inv, $"{"client".PadRight(clientWidth)}  verdict       missing");
        foreach (var v in report.Verdicts)
        {
            string verdict = (v.Compatible ? "compatible" : "INCOMPATIBLE") + (v.Expected ? "*" : "");
            sb.AppendLine(inv, $"{v.ClientId.PadRight(clientWidth)}  {verdict,-13} {string.Join("; ", v.Missing)}");
        }

        sb.AppendLine("(* = expected; decides the exit code)");
        return sb.ToString();
    }
}
