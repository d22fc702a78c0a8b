using System.Globalization;
using System.Reflection;
using System.Text;
using Waku.StoreForensics.Comparison;
using Waku.StoreForensics.Net.Probe;
using Waku.StoreForensics.PeerExchange;
using Waku.StoreForensics.Recovery;
using Waku.StoreForensics.Reseed;
using Waku.StoreForensics.Scanning;
using Waku.StoreForensics.Validation;

namespace Waku.StoreForensics.Reporting;

/// <summary>
/// Writes the post-mortem of an incident as Markdown from the reports the response produced (<see cref="ReportJson.Read"/>):
/// the evidence with its hashes, what was damaged, what was recovered and how it is proven, what was refilled from
/// peers, how the result was checked, which clients the probed nodes can serve, and what is still open. Every number comes from a report; nothing is re-measured.
/// </summary>
public static class PostMortem
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The Markdown text for <paramref name="reports"/> (any mix and number of the six report types).</summary>
    /// <exception cref="ArgumentException">An element is not a report of scan, recover, reseed, reseed-peers, diff or probe.</exception>
    public static string ToMarkdown(IReadOnlyList<object> reports, DateTimeOffset generatedAt)
    {
        ArgumentNullException.ThrowIfNull(reports);
        foreach (var r in reports)
        {
            if (r is not (ScanReport or RecoveryReport or ReseedReport or PeerReseedReport or StoreDiffReport or ProbeReport))
            {
                throw new ArgumentException($"{r?.GetType().Name ?? "null"} is not a report of scan, recover, reseed, reseed-peers, diff or probe.", nameof(reports));
            }
        }

        var md = new StringBuilder();
        string subject = reports.OfType<ScanReport>().Select(s => s.Inputs[0].Path)
            .Concat(reports.OfType<RecoveryReport>().Select(r => r.Inputs[0].Path))
            .Concat(reports.OfType<ReseedReport>().Select(r => r.Before[0].Path))
            .Select(Path.GetFileName).FirstOrDefault() ?? "nwaku store";
        string version = typeof(PostMortem).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
        md.AppendLine(Inv, $"# Post-mortem: {subject}");
        md.AppendLine();
        md.AppendLine(Inv, $"Written {generatedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC by Waku.StoreForensics {version.Split('+')[0]} from {reports.Count} report(s). Every number below comes from those reports; every file is named with the SHA-256 it had when it was read.");

        Evidence(md, reports);
        foreach (var scan in reports.OfType<ScanReport>())
        {
            Scan(md, scan);
        }

        foreach (var recovery in reports.OfType<RecoveryReport>())
        {
            Recovery(md, recovery);
        }

        foreach (var reseed in reports.OfType<ReseedReport>())
        {
            Reseed(md, reseed);
        }

        foreach (var peers in reports.OfType<PeerReseedReport>())
        {
            Peers(md, peers);
        }

        foreach (var diff in reports.OfType<StoreDiffReport>())
        {
            Diff(md, diff);
        }

        var probes = reports.OfType<ProbeReport>().ToList();
        if (probes.Count > 0)
        {
            Probes(md, probes);
        }

        OpenItems(md, reports);
        return md.ToString();
    }

    private static void Evidence(StringBuilder md, IReadOnlyList<object> reports)
    {
        var files = new List<(EvidenceFile File, string ReadBy)>();
        foreach (var r in reports)
        {
            switch (r)
            {
                case ScanReport s: files.AddRange(s.Inputs.Select(f => (f, "scan"))); break;
                case RecoveryReport v: files.AddRange(v.Inputs.Select(f => (f, "recover (input)"))); break;
                case ReseedReport v:
                    files.AddRange(v.Before.Select(f => (f, "reseed (before)")));
                    files.AddRange(v.After.Select(f => (f, "reseed (after)")));
                    break;
                case StoreDiffReport d:
                    files.AddRange(d.Left.Select(f => (f, "diff (left)")));
                    files.AddRange(d.Right.Select(f => (f, "diff (right)")));
                    break;
            }
        }

        md.AppendLine();
        md.AppendLine("## Evidence");
        md.AppendLine();
        if (files.Count == 0)
        {
            md.AppendLine("No report names an input file.");
            return;
        }

        md.AppendLine("| file | bytes | SHA-256 | read by |");
        md.AppendLine("|---|---:|---|---|");
        foreach (var group in files.GroupBy(f => (f.File.Path, f.File.Sha256)))
        {
            var first = group.First().File;
            md.AppendLine(Inv, $"| `{Cell(first.Path)}` | {first.Length:N0} | `{first.Sha256}` | {string.Join(", ", group.Select(g => g.ReadBy).Distinct())} |");
        }

        foreach (var changed in files.GroupBy(f => f.File.Path).Where(g => g.Select(f => f.File.Sha256).Distinct().Count() > 1))
        {
            md.AppendLine();
            md.AppendLine(Inv, $"`{changed.Key}` has more than one hash above: it was written between the reports (by reseed, or outside this tool).");
        }
    }

    private static void Scan(StringBuilder md, ScanReport scan)
    {
        int errors = scan.Findings.Count(f => f.Severity == Severity.Error), warnings = scan.Findings.Count(f => f.Severity == Severity.Warning);
        md.AppendLine();
        md.AppendLine("## What was damaged (scan)");
        md.AppendLine();
        md.AppendLine(Inv, $"- File: `{scan.Inputs[0].Path}`, scanned {scan.StartedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC in {scan.Seconds:0.##} s.");
        md.AppendLine(Inv, $"- Layout: Message {scan.MessageLayout ?? "not recognised"}, Peer {scan.PeerLayout ?? "none"}; user_version {scan.UserVersion}; {scan.PageCount:N0} pages of {scan.PageSize} bytes; rows read: {scan.MessageRowsRead:N0} messages, {scan.PeerRowsRead:N0} peers.");
        md.AppendLine(Inv, $"- SQLite's integrity_check: {scan.IntegrityCheck}.");
        md.AppendLine(Inv, $"- Verdict: **{(scan.Healthy ? "healthy" : "damaged")}**: {errors} error, {warnings} warning and {scan.Findings.Count - errors - warnings} info finding(s) listed.");
        if (scan.Counts.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("| finding | count |");
            md.AppendLine("|---|---:|");
            foreach (var (kind, count) in scan.Counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key.ToString(), StringComparer.Ordinal))
            {
                md.AppendLine(Inv, $"| {kind} | {count:N0} |");
            }
        }

        var worst = scan.Findings.Where(f => f.Severity == Severity.Error).Take(5).ToList();
        if (worst.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("The first errors:");
            md.AppendLine();
            foreach (var f in worst)
            {
                md.AppendLine(Inv, $"- **{f.Kind}** at {f.Location}: {f.Explanation} (evidence: {f.Evidence})");
            }
        }
    }

    private static void Recovery(StringBuilder md, RecoveryReport r)
    {
        md.AppendLine();
        md.AppendLine("## What was recovered (recover)");
        md.AppendLine();
        md.AppendLine(Inv, $"- Input `{r.Inputs[0].Path}`: layout {r.InputLayout} (from the {r.LayoutDetectedFrom}), user_version {r.InputUserVersion}; {r.InputDamageFindings} damage finding(s) in the file format.");
        md.AppendLine(Inv, $"- Output `{r.OutputPath}`: layout {r.OutputLayout}, user_version {r.OutputUserVersion}; verified afterwards (integrity_check, reopened, counts): **{(r.OutputVerified ? "yes" : "NO")}**.");
        md.AppendLine(Inv, $"- Written: {r.MessagesWritten:N0} messages and {r.PeersWritten:N0} peers, from {r.Candidates:N0} candidate rows, in {r.Seconds:0.##} s.");
        md.AppendLine(Inv, $"- Quarantined with a reason: {r.QuarantinedRows:N0} row(s), {r.QuarantinedLiveOrLost:N0} of them live or lost rather than deleted, in `{r.QuarantinePath}`.");
        md.AppendLine();
        md.AppendLine("| table | source | verdict | rows |");
        md.AppendLine("|---|---|---|---:|");
        foreach (var c in r.Counts)
        {
            md.AppendLine(Inv, $"| {c.Table} | {c.Source} | {c.Verdict} | {c.Rows:N0} |");
        }

        md.AppendLine();
        md.AppendLine("Each written message is proven by its key (digest or message hash, recomputed). What no key covers rests on the file alone:");
        md.AppendLine();
        md.AppendLine(r.UnprovenColumns.Count == 0
            ? "- every column of every written message is covered by its key."
            : string.Join(Environment.NewLine, r.UnprovenColumns.Select(u => string.Create(Inv, $"- `{u.Key}`: not proven in {u.Value:N0} written row(s)."))));
        if (r.TextConverted > 0)
        {
            md.AppendLine(Inv, $"- {r.TextConverted:N0} written row(s) held TEXT where nwaku writes BLOB and were written as BLOBs (`--text-as-blob`; listed in quarantine).");
        }

        if (r.IndexDisagreements > 0)
        {
            md.AppendLine(Inv, $"- {r.IndexDisagreements:N0} written row(s) have a receive time that disagrees with the live indexes (listed in quarantine).");
        }

        foreach (var note in r.Notes)
        {
            md.AppendLine(Inv, $"- Note ({note.Kind}): {note.Explanation}");
        }
    }

    private static void Reseed(StringBuilder md, ReseedReport r)
    {
        md.AppendLine();
        md.AppendLine(r.DryRun ? "## What is missing compared with peers (reseed, dry run)" : "## What was refilled from peers (reseed)");
        md.AppendLine();
        md.AppendLine(Inv, $"- Database `{r.Before[0].Path}`: layout {r.MessageLayout}, scan before writing: {r.ScanVerdict}.");
        md.AppendLine(Inv, $"- Rows {r.LocalRowsBefore:N0} → {r.LocalRowsAfter:N0}: {r.Missing:N0} missing, {r.Inserted:N0} inserted, {r.AlreadyPresent:N0} already present; complete: **{(r.Complete ? "yes" : "NO")}**; {r.Seconds:0.##} s.");
        if (r.MissingMessageBytes > 0)
        {
            md.AppendLine(Inv, $"- Received {r.BytesReceived:N0} bytes for {r.MissingMessageBytes:N0} bytes of missing messages ({(double)r.BytesReceived / r.MissingMessageBytes:0.000}×).");
        }

        md.AppendLine();
        md.AppendLine("| peer | protocol | method | completed | fetched | inserted | rejected | error |");
        md.AppendLine("|---|---|---|---|---:|---:|---:|---|");
        foreach (var p in r.Peers)
        {
            md.AppendLine(Inv, $"| `{Cell(p.Address)}` | {p.Protocol ?? "–"} | {p.Method?.ToString() ?? "–"} | {(p.Completed ? "yes" : "no")} | {p.Fetched:N0} | {p.Inserted:N0} | {p.Rejected:N0} | {Cell(p.Error ?? "")} |");
        }

        if (r.Rejected.Count > 0)
        {
            md.AppendLine();
            md.AppendLine(Inv, $"{r.Rejected.Count:N0} message(s) sent by peers failed validation and were not written; the first:");
            md.AppendLine();
            foreach (var x in r.Rejected.Take(5))
            {
                md.AppendLine(Inv, $"- `{x.MessageHash}` from `{x.Peer}`: {x.Reason}");
            }
        }
    }

    private static void Peers(StringBuilder md, PeerReseedReport r)
    {
        md.AppendLine();
        md.AppendLine("## Peer table rebuilt (reseed-peers)");
        md.AppendLine();
        md.AppendLine(Inv, $"- Database `{r.Database}`: layout {r.Layout}, storedInfo era {r.Era}; {(r.DryRun ? "dry run, nothing written" : string.Create(Inv, $"{r.Written} row(s) written"))}; {r.DuplicateEnrs} duplicate ENR(s) skipped.");
        md.AppendLine();
        md.AppendLine("| node | reached | ENRs | rejected | peer exchange |");
        md.AppendLine("|---|---|---:|---:|---|");
        foreach (var n in r.Nodes)
        {
            md.AppendLine(Inv, $"| `{Cell(n.Address)}` | {(n.Reached ? "yes" : $"no ({n.DialError})")} | {n.EnrsReceived} | {n.RejectedEnrs.Count} | {(n.PeerExchangeError is { } e ? e.ToString() : n.Reached ? "answered" : "–")} |");
        }
    }

    private static void Diff(StringBuilder md, StoreDiffReport d)
    {
        md.AppendLine();
        md.AppendLine("## Checked by comparison (diff)");
        md.AppendLine();
        md.AppendLine(Inv, $"- Left `{d.Left[0].Path}` ({d.LeftLayout}) against right `{d.Right[0].Path}` ({d.RightLayout}), by {(d.ComparedBy == DiffKey.PrimaryKey ? "primary key" : "primary key after converting the older layout as nwaku's migrations would")}: **{(d.Identical ? "identical" : "different")}**.");
        foreach (var t in new[] { d.Messages, d.Peers })
        {
            if (t is not null)
            {
                md.AppendLine(Inv, $"- {t.Table}: {t.LeftRows:N0} vs {t.RightRows:N0} rows; same {t.Same:N0}, only left {t.OnlyLeft:N0}, only right {t.OnlyRight:N0}, differing {t.Differing:N0}{(t.DifferingColumns.Count > 0 ? " (" + string.Join(", ", t.DifferingColumns.Select(c => string.Create(Inv, $"{c.Key} {c.Value}"))) + ")" : "")}.");
            }
        }

        if (d.PeersNotCompared is { } why)
        {
            md.AppendLine(Inv, $"- Peer tables not compared: {why.Replace('_', ' ')}.");
        }
    }

    private static void Probes(StringBuilder md, List<ProbeReport> probes)
    {
        md.AppendLine();
        md.AppendLine("## Nodes probed (probe)");
        md.AppendLine();
        md.AppendLine("| node | connected | agent | store v3 | store beta4 | store beta3 | clients that cannot use it |");
        md.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var p in probes)
        {
            static string Store(bool? answered, string? error) => answered switch { true => "answers", false => $"fails ({error})", null => "–" };
            string beta3 = p.StoreBeta3Answered is true && p.StoreBeta3Encoding is { } encoding ? $"answers, {encoding} encoding" : Store(p.StoreBeta3Answered, p.StoreBeta3Error);
            var cannot = p.Verdicts.Where(v => !v.Compatible).Select(v => $"{v.Client} (missing {string.Join(", ", v.Missing)})").ToList();
            md.AppendLine(Inv, $"| `{Cell(p.Address)}` | {(p.Connected ? "yes" : $"no ({p.FailureReason})")} | {Cell(p.AgentVersion ?? "–")} | {Store(p.StoreV3Answered, p.StoreV3Error)} | {Store(p.StoreLegacyAnswered, p.StoreLegacyError)} | {beta3} | {Cell(cannot.Count == 0 ? "none" : string.Join("; ", cannot))} |");
        }

        foreach (var verdict in probes.Select(p => p.StoreBeta3Verdict).OfType<string>().Distinct())
        {
            md.AppendLine();
            md.AppendLine(verdict);
        }
    }

    private static void OpenItems(StringBuilder md, IReadOnlyList<object> reports)
    {
        var items = new List<string>();
        var recoveries = reports.OfType<RecoveryReport>().ToList();
        foreach (var s in reports.OfType<ScanReport>().Where(s => !s.Healthy))
        {
            if (!recoveries.Any(r => r.Inputs[0].Sha256 == s.Inputs[0].Sha256))
            {
                items.Add($"`{s.Inputs[0].Path}` is damaged and no recover report of that file (same SHA-256) is among these reports.");
            }
        }

        foreach (var r in recoveries)
        {
            if (!r.OutputVerified)
            {
                items.Add($"The output `{r.OutputPath}` failed its verification: do not put it in place.");
            }

            if (r.QuarantinedLiveOrLost > 0)
            {
                items.Add(string.Create(Inv, $"{r.QuarantinedLiveOrLost:N0} live or lost row(s) failed validation and are only in `{r.QuarantinePath}` (table quarantine, with reasons): refill them from peers (reseed) or inspect them."));
            }

            foreach (var (column, rows) in r.UnprovenColumns.Where(u => u.Value > 0))
            {
                items.Add(string.Create(Inv, $"`{column}` of {rows:N0} recovered message(s) is not covered by any key: its value is the file's word (see provenance.unproven)."));
            }
        }

        foreach (var r in reports.OfType<ReseedReport>())
        {
            if (!r.Complete)
            {
                items.Add(string.Create(Inv, $"reseed of `{r.Before[0].Path}` did not complete ({r.Missing - r.Inserted:N0} of {r.Missing:N0} missing message(s) not inserted): run it again, with other peers if these fail."));
            }

            if (r.Rejected.Count > 0)
            {
                items.Add(string.Create(Inv, $"Peers sent {r.Rejected.Count:N0} message(s) that failed validation: a peer is faulty or hostile."));
            }
        }

        foreach (var p in reports.OfType<PeerReseedReport>().Where(p => !p.Complete))
        {
            items.Add($"reseed-peers of `{p.Database}` is incomplete: {string.Join("; ", p.Nodes.Where(n => !n.Complete).Select(n => $"{n.Address}: {(n.Reached ? n.PeerExchangeError?.ToString() ?? "invalid ENRs" : "not reached")}"))}.");
        }

        foreach (var p in reports.OfType<ProbeReport>())
        {
            if (!p.Connected)
            {
                items.Add($"`{p.Address}` could not be reached ({p.FailureReason}): {p.FailureMessage}");
            }

            foreach (var v in p.Verdicts.Where(v => v.Expected && !v.Compatible))
            {
                items.Add($"{v.Client} cannot use `{p.Address}`: it lacks {string.Join(", ", v.Missing)}.");
            }
        }

        foreach (var d in reports.OfType<StoreDiffReport>().Where(d => !d.Identical))
        {
            string peers = d.Peers is { Identical: false } p ? string.Create(Inv, $"; peers: {p.OnlyLeft:N0} only left, {p.OnlyRight:N0} only right, {p.Differing:N0} differing") : "";
            string reads = d.LeftReadErrors + d.RightReadErrors > 0 ? string.Create(Inv, $"; read errors: {d.LeftReadErrors} left, {d.RightReadErrors} right (rows behind them were not compared)") : "";
            items.Add(string.Create(Inv, $"`{d.Left[0].Path}` and `{d.Right[0].Path}` differ: {d.Messages.OnlyLeft:N0} message(s) only left, {d.Messages.OnlyRight:N0} only right, {d.Messages.Differing:N0} differing{peers}{reads}."));
        }

        md.AppendLine();
        md.AppendLine("## Open items");
        md.AppendLine();
        md.AppendLine(items.Count == 0 ? "None found in these reports." : string.Join(Environment.NewLine, items.Select(i => "- " + i)));
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");
}
