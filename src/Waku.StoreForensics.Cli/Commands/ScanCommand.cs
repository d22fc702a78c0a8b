using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using Waku.StoreForensics.Scanning;
using Waku.StoreForensics.Validation;

namespace Waku.StoreForensics.Cli.Commands;

/// <summary><c>scan &lt;db&gt;</c>: what is wrong with a store, and where.</summary>
internal static class ScanCommand
{
    /// <summary>Files at least this large get a progress display on an interactive terminal.</summary>
    private const long ProgressThreshold = 32L * 1024 * 1024;

    public static Command Create()
    {
        var db = CommonOptions.Database();
        var json = CommonOptions.Json();
        var noIntegrity = new Option<bool>("--no-integrity-check") { Description = "Skip SQLite's own integrity_check (it runs on a private copy of the files)." };
        var worst = new Option<int>("--show") { Description = "How many of the worst findings to print (human output).", DefaultValueFactory = _ => 25 };
        var command = new Command("scan", "Find what is damaged in an nwaku store: SQLite's integrity_check, page-level checks of our reader, nwaku layout detection and row validators, merged into one list.")
        {
            db, json, noIntegrity, worst,
        };
        command.SetAction((parse, ct) => CommandGuard.RunAsync(token =>
        {
            var file = parse.GetValue(db)!;
            if (!file.Exists)
            {
                throw new FileNotFoundException($"{file.FullName} does not exist", file.FullName);
            }

            var options = new ScanOptions { RunIntegrityCheck = !parse.GetValue(noIntegrity) };
            bool showProgress = !parse.GetValue(json) && !Console.IsErrorRedirected && file.Length >= ProgressThreshold;
            var report = showProgress
                ? RunWithProgress(file.FullName, options, token)
                : StoreScanner.Scan(file.FullName, options, null, token);
            if (parse.GetValue(json))
            {
                using var stdout = Console.OpenStandardOutput();
                JsonSerializer.Serialize(stdout, report, JsonOutput.Options);
                stdout.WriteByte((byte)'\n');
            }
            else
            {
                Render(report, parse.GetValue(worst));
            }

            return Task.FromResult(report.Healthy ? ExitCodes.Healthy : ExitCodes.DamageFound);
        }, ct));
        return command;
    }

    private static ScanReport RunWithProgress(string path, ScanOptions options, CancellationToken cancellationToken)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        ScanReport? report = null;
        console.Progress().Start(context =>
        {
            var task = context.AddTask("scanning", maxValue: 1.0);
            report = StoreScanner.Scan(path, options, new Progress<ScanProgress>(p =>
            {
                task.Description = p.Stage;
                task.Value = p.Fraction;
            }), cancellationToken);
            task.Value = 1.0;
        });
        return report!;
    }

    private static void Render(ScanReport report, int worst)
    {
        var console = AnsiConsole.Console;
        foreach (var input in report.Inputs)
        {
            Console.Out.WriteLine($"{input.Path}  {input.Length} bytes  sha256 {input.Sha256}");
        }

        Console.Out.WriteLine($"layout {report.MessageLayout ?? "unrecognised"} (user_version {report.UserVersion}){(report.PeerLayout is null ? "" : $", Peer {report.PeerLayout}")}, " +
            $"{report.PageCount} pages of {report.PageSize} bytes, {report.MessageRowsRead} Message rows{(report.PeerLayout is null ? "" : $" and {report.PeerRowsRead} Peer rows")} read, integrity_check: {report.IntegrityCheck}, {report.Seconds:F2} s");

        if (report.Counts.Count == 0)
        {
            console.MarkupLine("[green]healthy: no findings[/]");
            return;
        }

        var table = new Table().AddColumns("severity", "kind", "count");
        foreach (var group in report.Counts
            .Select(c => (Kind: c.Key, Count: c.Value, Severity: report.Findings.Where(f => f.Kind == c.Key).Select(f => f.Severity).DefaultIfEmpty(Severity.Info).Max()))
            .OrderByDescending(g => g.Severity).ThenBy(g => g.Kind))
        {
            table.AddRow(SeverityMarkup(group.Severity), Markup.Escape(group.Kind.ToString()), group.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        console.Write(table);
        console.WriteLine($"worst {Math.Min(worst, report.Findings.Count)} of {report.Counts.Values.Sum()} finding(s):");
        foreach (var f in report.Findings.Take(worst))
        {
            console.MarkupLine($"{SeverityMarkup(f.Severity)} {Markup.Escape(f.Kind.ToString())} at {Markup.Escape(f.Location.ToString())}: {Markup.Escape(f.Explanation)}");
            console.MarkupLine($"    [grey]{Markup.Escape(f.Evidence)}[/]");
        }

        bool onlyInfo = report.Findings.All(f => f.Severity == Severity.Info);
        console.MarkupLine(!report.Healthy ? "[red]damage found[/]" : onlyInfo ? "[green]healthy (informational findings only)[/]" : "[yellow]no damage, but see the warnings above[/]");
    }

    private static string SeverityMarkup(Severity severity) => severity switch
    {
        Severity.Error => "[red]ERROR[/]",
        Severity.Warning => "[yellow]WARN[/]",
        _ => "[grey]INFO[/]",
    };
}
