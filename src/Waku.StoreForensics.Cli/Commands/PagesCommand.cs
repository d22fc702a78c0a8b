using System.CommandLine;
using System.Text.Json;
using Waku.StoreForensics.Sqlite;

namespace Waku.StoreForensics.Cli.Commands;

/// <summary><c>pages &lt;db&gt;</c>: the page map.</summary>
internal static class PagesCommand
{
    public static Command Create()
    {
        var db = CommonOptions.Database();
        var json = CommonOptions.Json();
        var noWal = CommonOptions.NoWal();
        var rollback = CommonOptions.RollbackJournal();
        var command = new Command("pages", "Page map: every page's number, kind, owner, cell count, free bytes and findings, read by our own file-format reader.")
        {
            db, json, noWal, rollback,
        };
        command.SetAction((parse, ct) => CommandGuard.RunAsync(token =>
        {
            using var database = CommonOptions.Open(parse.GetValue(db)!, CommonOptions.ReadOptions(parse.GetValue(noWal), parse.GetValue(rollback)));
            var map = database.MapPages(cancellationToken: token);
            if (parse.GetValue(json))
            {
                WriteJson(database, map);
            }
            else
            {
                WriteText(database, map);
            }

            return Task.FromResult(CommandGuard.FromFindings(database.Findings));
        }, ct));
        return command;
    }

    private static void WriteJson(SqliteDatabase db, IReadOnlyList<PageInfo> map)
    {
        using var stdout = Console.OpenStandardOutput();
        using var writer = JsonOutput.CreateWriter(stdout);
        writer.WriteStartObject();
        writer.WriteString("path", db.Path);
        writer.WriteNumber("page_size", db.PageSize);
        writer.WriteNumber("page_count", db.PageCount);
        writer.WriteNumber("file_page_count", db.FilePageCount);
        writer.WritePropertyName("header");
        JsonSerializer.Serialize(writer, db.Header, JsonOutput.Options);
        writer.WritePropertyName("pages");
        JsonSerializer.Serialize(writer, map, JsonOutput.Options);
        writer.WritePropertyName("findings");
        JsonSerializer.Serialize(writer, db.Findings, JsonOutput.Options);
        writer.WriteEndObject();
        writer.Flush();
        stdout.WriteByte((byte)'\n');
    }

    private static void WriteText(SqliteDatabase db, IReadOnlyList<PageInfo> map)
    {
        var output = Console.Out;
        output.WriteLine($"{db.Path}: {db.PageCount} pages of {db.PageSize} bytes ({db.FilePageCount} in the file), user_version {db.Header.UserVersion}, {db.Header.TextEncoding}{(db.Wal is { } w ? $", WAL with {w.Frames.Count} frames (last commit at frame {w.LastCommitFrame})" : "")}");
        output.WriteLine($"{"page",8}  {"kind",-14} {"owner",-28} {"cells",5} {"free",6} {"wal",5}  findings");
        foreach (var page in map)
        {
            string findings = page.Findings.Count == 0 ? page.Reason ?? "" : string.Join("; ", page.Findings.Select(f => $"{f.Kind}: {f.Message}"));
            output.WriteLine($"{page.Page,8}  {page.Kind,-14} {Truncate(page.Owner ?? "-", 28),-28} {page.CellCount,5} {page.FreeBytes,6} {(page.WalFrame >= 0 ? page.WalFrame.ToString(System.Globalization.CultureInfo.InvariantCulture) : "-"),5}  {findings}");
        }

        output.WriteLine();
        foreach (var group in map.GroupBy(p => p.Kind).OrderBy(g => g.Key))
        {
            output.WriteLine($"{group.Key,-14} {group.Count(),8} pages");
        }

        var fileLevel = db.Findings.Where(f => f.Page == 0).ToList();
        output.WriteLine($"{db.Findings.Count} finding(s), {db.Findings.Count(f => f.Severity == SqliteFindingSeverity.Error)} error(s)");
        foreach (var finding in fileLevel)
        {
            output.WriteLine($"  {finding}");
        }
    }

    private static string Truncate(string text, int width) => text.Length <= width ? text : text[..(width - 1)] + "…";
}
