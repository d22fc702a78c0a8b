using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Waku.StoreForensics.Net.Crypto;
using Waku.StoreForensics.Net.Multiformats;
using Waku.StoreForensics.Reseed;
using Waku.StoreForensics.Scanning;

namespace Waku.StoreForensics.Cli.Commands;

/// <summary><c>reseed &lt;db&gt; --peer …</c>: refill a store with the messages it lacks from live store nodes.</summary>
internal static class ReseedCommand
{
    public static Command Create()
    {
        var database = new Argument<FileInfo>("db") { Description = "The nwaku store to refill (written in place, one transaction per page). Refused: a hot -journal beside it; a damaged file or a non-empty -wal unless --force." };
        var peers = new Option<string[]>("--peer") { Description = "Store node address (repeatable; tried in order, the next continues when one fails), e.g. /ip4/1.2.3.4/tcp/60000/p2p/16Uiu2…", Required = true, AllowMultipleArgumentsPerToken = true };
        var pubsub = new Option<string?>("--pubsub-topic") { Description = "Only messages on this pubsub topic (required by a legacy-only store node)." };
        var content = new Option<string[]>("--content-topic") { Description = "Only messages on these content topics (repeatable, at most 10).", AllowMultipleArgumentsPerToken = true };
        var from = new Option<string?>("--from") { Description = "Only messages with timestamp ≥ this: Unix nanoseconds or an ISO-8601 date/time." };
        var to = new Option<string?>("--to") { Description = "Only messages with timestamp ≤ this (same forms as --from)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the difference, write nothing." };
        var force = new Option<bool>("--force") { Description = "Write even when scan finds the database damaged or a non-empty -wal sits beside it (a running node)." };
        var pageSize = new Option<int>("--page-size") { Description = "Messages per page and per insert transaction, 1–100.", DefaultValueFactory = _ => 100 };
        var network = new NetworkOptions();
        var json = CommonOptions.Json();
        var command = new Command("reseed", "Find the messages a store lacks by asking store nodes (store v3 hash-only lists where the layout keeps message hashes, else every message in range by the layout's key; the legacy store when that is all a node has), fetch only those, re-hash and validate each, and insert them in the file's own layout. Re-running continues an interrupted reseed and never stores a message twice. Exit 0 when a peer answered to the end and nothing was rejected, 1 when every peer failed part-way or messages were rejected, 2 when it could not run (bad arguments, damaged database without --force, no peer reachable before any page).")
        {
            database, peers, pubsub, content, from, to, dryRun, force, pageSize, json,
        };
        network.AddTo(command);

        command.SetAction((parse, ct) => CommandGuard.RunAsync(async token =>
        {
            var file = parse.GetValue(database)!;
            var addresses = (parse.GetValue(peers) ?? []).Select(text => Multiaddress.TryParse(text, out var a)
                ? a!
                : throw new ArgumentException($"'{text}' is not a multiaddress this tool can dial (ip4/ip6/dns + tcp [+ p2p]).")).ToArray();
            using var identity = Identity.CreateSecp256k1();
            var options = new ReseedOptions
            {
                PubsubTopic = parse.GetValue(pubsub),
                ContentTopics = parse.GetValue(content) ?? [],
                TimeStart = parse.GetValue(from) is { } f ? QueryCommand.ParseTime(f, "--from") : null,
                TimeEnd = parse.GetValue(to) is { } t ? QueryCommand.ParseTime(t, "--to") : null,
                DryRun = parse.GetValue(dryRun),
                Force = parse.GetValue(force),
                PageSize = parse.GetValue(pageSize),
                Client = network.Client(parse),
                Host = network.Host(parse, identity),
            };
            bool asJson = parse.GetValue(json);
            var progress = !asJson && !Console.IsErrorRedirected ? new Progress<ReseedProgress>(ShowProgress) : null;
            // A refusal (WriteRefusedException) is reported by CommandGuard, exit 2.
            var report = await StoreReseeder.ReseedAsync(file.FullName, addresses, options, progress, token).ConfigureAwait(false);

            if (progress is not null)
            {
                await Console.Error.WriteLineAsync().ConfigureAwait(false);
            }

            if (asJson)
            {
                using var stdout = Console.OpenStandardOutput();
                JsonSerializer.Serialize(stdout, report, JsonOutput.Options);
                stdout.WriteByte((byte)'\n');
            }
            else
            {
                Render(report);
            }

            if (!report.Complete && report.Peers.All(p => p.Pages == 0))
            {
                return ExitCodes.CouldNotRun;
            }

            return report.Complete && report.Rejected.Count == 0 ? ExitCodes.Healthy : ExitCodes.DamageFound;
        }, ct));
        return command;
    }

    private static void ShowProgress(ReseedProgress p)
    {
        double seconds = Math.Max(0.001, p.Elapsed.TotalSeconds);
        Console.Error.Write(string.Create(CultureInfo.InvariantCulture,
            $"\r{p.Elapsed.TotalSeconds,6:F1} s  {p.Stage,-22} listed {p.RemoteMessages,9}  missing {p.Missing,8}  fetched {p.Fetched,8}  inserted {p.Inserted,8}  {p.Fetched / seconds,8:F0} msg/s  {p.BytesReceived / seconds / 1e6,6:F1} MB/s "));
    }

    private static void Render(ReseedReport report)
    {
        var o = Console.Out;
        foreach (var file in report.Before)
        {
            o.WriteLine($"{file.Path}  {file.Length} bytes  sha256 before {file.Sha256}");
        }

        o.WriteLine($"layout {report.MessageLayout}, scan {report.ScanVerdict}{(report.DryRun ? ", dry run: nothing written" : "")}");
        foreach (var p in report.Peers)
        {
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"peer {p.Address}: {p.Protocol ?? "-"} {p.Method?.ToString() ?? ""}, {(p.Completed ? "completed" : "failed: " + p.Error)}; listed {p.RemoteMessages}, fetched {p.Fetched}, inserted {p.Inserted}, rejected {p.Rejected}, {p.Pages} pages, {p.BytesReceived} bytes"));
        }

        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"rows {report.LocalRowsBefore} → {report.LocalRowsAfter}; missing {report.Missing}, inserted {report.Inserted}, already present {report.AlreadyPresent}, rejected {report.Rejected.Count}"));
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"received {report.BytesReceived} bytes for {report.MissingMessageBytes} bytes of missing messages ({(report.MissingMessageBytes > 0 ? (double)report.BytesReceived / report.MissingMessageBytes : 0):F3}×) in {report.Seconds:F1} s"));
        foreach (var hash in report.MissingHashes)
        {
            o.WriteLine($"missing {hash}");
        }

        foreach (var r in report.Rejected)
        {
            o.WriteLine($"rejected {r.MessageHash} from {r.Peer}: {r.Reason}");
        }

        if (!report.Complete)
        {
            o.WriteLine("INCOMPLETE: no peer answered to the end; run reseed again to continue.");
        }
    }
}
