using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using Waku.StoreForensics.Recovery;
using Waku.StoreForensics.Scanning;
using Waku.StoreForensics.Schema;

namespace Waku.StoreForensics.Cli.Commands;

/// <summary><c>recover &lt;in&gt; --out &lt;out.db&gt;</c>: carve every surviving row and rebuild a verified nwaku database.</summary>
internal static class RecoverCommand
{
    public static Command Create()
    {
        var input = new Argument<FileInfo>("in") { Description = "The damaged store (read-only; its -wal/-journal are read, never written)." };
        var output = new Option<FileInfo>("--out") { Description = "Database to write (nwaku's exact schema). A quarantine database is written beside it.", Required = true };
        var targetSchema = new Option<string>("--target-schema") { Description = "Layout to write: same (the input's), latest, or a layout name (S1, S7, S10, …).", DefaultValueFactory = _ => "same" };
        var includeDeleted = new Option<bool>("--include-deleted") { Description = "Also write valid deleted rows found in freeblocks, freelist pages and older WAL frames." };
        var overwrite = new Option<bool>("--force") { Description = "Replace the output file if it exists." };
        var textAsBlob = new Option<bool>("--text-as-blob") { Description = "Write rows a hand reseed stored with TEXT topics, payload or meta as BLOBs (as nwaku binds them) when the key then proves the bytes; each is listed in the quarantine file. Off by default: one damaged header byte also turns a BLOB into TEXT." };
        var json = CommonOptions.Json();
        var command = new Command("recover", "Carve every surviving row out of a damaged store, prove each one, and write a clean, verified database in nwaku's schema.")
        {
            input, output, targetSchema, includeDeleted, overwrite, textAsBlob, json,
        };
        command.SetAction((parse, ct) => CommandGuard.RunAsync(token =>
        {
            var file = parse.GetValue(input)!;
            if (!file.Exists)
            {
                throw new FileNotFoundException($"{file.FullName} does not exist", file.FullName);
            }

            var options = new RecoveryOptions
            {
                OutputPath = parse.GetValue(output)!.FullName,
                TargetLayout = ParseTarget(parse.GetValue(targetSchema)!),
                IncludeDeleted = parse.GetValue(includeDeleted),
                Overwrite = parse.GetValue(overwrite),
                TextAsBlob = parse.GetValue(textAsBlob),
            };
            var progress = !parse.GetValue(json) && !Console.IsErrorRedirected
                ? new Progress<ScanProgress>(p => Console.Error.Write($"\r{p.Stage,-24} {p.Fraction,4:P0}"))
                : null;
            var report = StoreRecovery.Recover(file.FullName, options, progress, token);
            if (progress is not null)
            {
                Console.Error.WriteLine();
            }

            if (parse.GetValue(json))
            {
                using var stdout = Console.OpenStandardOutput();
                JsonSerializer.Serialize(stdout, report, JsonOutput.Options);
                stdout.WriteByte((byte)'\n');
            }
            else
            {
                Render(report);
            }

            return Task.FromResult(report.DamageFound ? ExitCodes.DamageFound : ExitCodes.Healthy);
        }, ct));
        return command;
    }

    private static MessageSchemaId? ParseTarget(string text) => text.ToLowerInvariant() switch
    {
        "same" => null,
        "latest" => NwakuSchemaCatalog.Latest.Id,
        _ when Enum.TryParse<MessageSchemaId>(text, ignoreCase: true, out var id) => id,
        _ => throw new ArgumentException($"--target-schema: '{text}' is not same, latest or one of {string.Join(", ", Enum.GetNames<MessageSchemaId>())}."),
    };

    private static void Render(RecoveryReport report)
    {
        foreach (var file in report.Inputs)
        {
            Console.Out.WriteLine($"{file.Path}  {file.Length} bytes  sha256 {file.Sha256}");
        }

        Console.Out.WriteLine($"input layout {report.InputLayout} (from the {report.LayoutDetectedFrom}, user_version {report.InputUserVersion}) → {report.OutputLayout} (user_version {report.OutputUserVersion})");
        var table = new Table().AddColumns("table", "source", "verdict", "rows");
        foreach (var c in report.Counts)
        {
            table.AddRow(c.Table, Markup.Escape(c.Source), c.Verdict.ToString(), c.Rows.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        AnsiConsole.Write(table);
        foreach (var note in report.Notes)
        {
            Console.Out.WriteLine($"note: {note.Kind}: {note.Explanation}");
        }

        Console.Out.WriteLine($"wrote {report.MessagesWritten} messages and {report.PeersWritten} peers to {report.OutputPath} (verified: {report.OutputVerified})");
        if (report.UnprovenColumns.Count > 0)
        {
            // A key proves the columns it is computed from; the others hold what the file says (provenance.unproven).
            Console.Out.WriteLine("not proven by any key (rows): " + string.Join(", ", report.UnprovenColumns.Select(c => $"{c.Key} {c.Value}")));
        }

        if (report.TextConverted > 0)
        {
            Console.Out.WriteLine($"{report.TextConverted} row(s) written with TEXT values as BLOBs (--text-as-blob), each listed in the quarantine file");
        }

        Console.Out.WriteLine($"{report.QuarantinedRows} row(s) kept with reasons in {report.QuarantinePath}; {report.Candidates} carved candidates; {report.Seconds:F2} s");
    }
}
