using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Waku.StoreForensics.Net;
using Waku.StoreForensics.Net.Crypto;
using Waku.StoreForensics.Net.Multiformats;
using Waku.StoreForensics.PeerExchange;
using Waku.StoreForensics.Scanning;

namespace Waku.StoreForensics.Cli.Commands;

/// <summary><c>reseed-peers &lt;db&gt; --peer &lt;multiaddr&gt;…</c>: rebuild the Peer table from live nodes (identify + peer exchange).</summary>
internal static class ReseedPeersCommand
{
    public static Command Create()
    {
        var database = new Argument<FileInfo>("db") { Description = "The nwaku database whose Peer table is rebuilt (peers.db from v0.13, store.sqlite3 before); created as a peers.db when missing." };
        var peer = new Option<string[]>("--peer") { Description = "Node to ask (repeatable: every node is asked, one that fails is reported and the others go on), e.g. /ip4/1.2.3.4/tcp/60000/p2p/16Uiu2…", Required = true, AllowMultipleArgumentsPerToken = true };
        var dryRun = new Option<bool>("--dry-run") { Description = "Build and print the rows; write nothing." };
        var force = new Option<bool>("--force") { Description = "Write although the scan finds damage, a non-empty -wal is present, or the file is a message store without a Peer table. Never overrides a hot -journal or a running node's lock." };
        var era = new Option<PeerStorageEra?>("--era") { Description = "storedInfo protobuf to write: StoredInfo (v0.3–v0.22) or RemotePeerInfo (v0.23+); default: follow the table." };
        var count = new Option<int>("--peers") { Description = "Peers asked for over peer exchange (nwaku caches at most 60).", DefaultValueFactory = _ => 60 };
        var json = CommonOptions.Json();

        var command = new Command("reseed-peers", "Rebuild the Peer table of an nwaku database from live nodes: identify each, ask it for peers over /vac/waku/peer-exchange/2.0.0-alpha1, verify every ENR (EIP-778 v4 signature), and REPLACE one row per peer in nwaku's layout and storedInfo era. Refuses a damaged database, a non-empty -wal (both unless --force), a hot -journal and a locked database. Exit 0 when every row was written (or printed with --dry-run) and every node answered peer exchange with only valid ENRs, 1 when a node could not be reached, peer exchange failed or sent invalid ENRs (the rows from the rest are still written), 2 when the database is refused, no node can be reached, or the arguments are bad.")
        {
            database, peer, dryRun, force, era, count, json,
        };
        var network = new NetworkOptions(withRetries: false);
        network.AddTo(command);
        command.SetAction((parse, ct) => CommandGuard.RunAsync(async token =>
        {
            var nodes = (parse.GetValue(peer) ?? []).Select(text => Multiaddress.TryParse(text, out var a)
                ? a!
                : throw new ArgumentException($"'{text}' is not a multiaddress this tool can dial (ip4/ip6/dns + tcp [+ p2p]).")).ToArray();

            using var identity = Identity.CreateSecp256k1();
            var options = new PeerReseedOptions
            {
                PeerCount = parse.GetValue(count),
                DryRun = parse.GetValue(dryRun),
                Force = parse.GetValue(force),
                Era = parse.GetValue(era),
                PeerExchange = new PeerExchangeClientOptions { RequestTimeout = network.Timeout(parse) },
                Host = network.Host(parse, identity),
            };

            PeerReseedReport report;
            try
            {
                report = await PeerReseeder.ReseedAsync(parse.GetValue(database)!.FullName, nodes, options, token).ConfigureAwait(false);
            }
            catch (Libp2pException e)
            {
                await Console.Error.WriteLineAsync($"error: cannot reach {(nodes.Length == 1 ? nodes[0].ToString() : "any node")}: {e.Reason}: {e.Message}").ConfigureAwait(false);
                return ExitCodes.CouldNotRun;
            }

            if (parse.GetValue(json))
            {
                await Console.Out.WriteLineAsync(JsonSerializer.Serialize(report, JsonOutput.Options)).ConfigureAwait(false);
            }
            else
            {
                await Console.Out.WriteAsync(Render(report)).ConfigureAwait(false);
            }

            foreach (var node in report.Nodes)
            {
                if (node.DialError is { } reason)
                {
                    await Console.Error.WriteLineAsync($"{node.Address}: cannot reach: {reason}: {node.DialErrorMessage}").ConfigureAwait(false);
                }

                foreach (var r in node.RejectedEnrs)
                {
                    await Console.Error.WriteLineAsync($"{node.Address}: rejected ENR #{r.Index}: {r.Reason}: {r.Detail}").ConfigureAwait(false);
                }

                if (node.PeerExchangeError is { } kind)
                {
                    await Console.Error.WriteLineAsync($"{node.Address}: peer exchange failed: {kind}: {node.PeerExchangeErrorMessage}").ConfigureAwait(false);
                }
            }

            return report.Complete ? ExitCodes.Healthy : ExitCodes.DamageFound;
        }, ct));
        return command;
    }

    /// <summary>The plain-text rendering.</summary>
    internal static string Render(PeerReseedReport report)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(inv, $"database  {report.Database}{(report.DatabaseCreated ? " (created)" : "")}");
        sb.AppendLine(inv, $"layout    {report.Layout}, {report.Era}{(report.TableCreated ? " (table created)" : "")}");
        foreach (var node in report.Nodes)
        {
            string outcome = !node.Reached ? $"not reached ({node.DialError})"
                : node.PeerExchangeError is { } kind ? $"{node.PeerId}, peer exchange failed ({kind})"
                : string.Create(inv, $"{node.PeerId}, {node.EnrsReceived} ENR(s), {node.RejectedEnrs.Count} rejected");
            sb.AppendLine(inv, $"node      {node.Address}: {outcome}");
        }
        if (report.DamageFindings > 0)
        {
            sb.AppendLine(inv, $"forced    the scan found {report.DamageFindings} error finding(s)");
        }

        sb.AppendLine();
        foreach (var p in report.Peers)
        {
            sb.AppendLine(inv, $"{p.PeerId}  {p.Source}  {p.Connectedness}{(p.DisconnectTime != 0 ? string.Create(inv, $" at {p.DisconnectTime}") : "")}{(p.Waku2 is { } w ? $"  waku2: {w}" : "")}");
            foreach (var a in p.Addresses)
            {
                sb.AppendLine(inv, $"    {a}");
            }

            if (p.Protocols.Count > 0)
            {
                sb.AppendLine(inv, $"    protocols: {string.Join(", ", p.Protocols)}");
            }

            if (report.DryRun)
            {
                sb.AppendLine(inv, $"    storedInfo: {p.StoredInfoHex}");
            }
        }

        sb.AppendLine();
        sb.AppendLine(report.DryRun
            ? string.Create(inv, $"dry run: {report.Peers.Count} row(s) built, nothing written")
            : string.Create(inv, $"{report.Written} row(s) written"));
        int rejected = report.Nodes.Sum(n => n.RejectedEnrs.Count);
        if (rejected > 0 || report.DuplicateEnrs > 0)
        {
            sb.AppendLine(inv, $"{rejected} ENR(s) rejected, {report.DuplicateEnrs} duplicate(s) skipped");
        }

        return sb.ToString();
    }
}
