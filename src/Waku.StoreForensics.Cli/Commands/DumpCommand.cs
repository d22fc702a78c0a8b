using System.CommandLine;
using System.Text;
using Waku.StoreForensics.Sqlite;

namespace Waku.StoreForensics.Cli.Commands;

/// <summary><c>dump &lt;db&gt;</c>: every row read by our own reader, with provenance; no native SQLite involved.</summary>
internal static class DumpCommand
{
    public static Command Create()
    {
        var db = CommonOptions.Database();
        var json = CommonOptions.Json();
        var table = new Option<string?>("--table") { Description = "Table to dump (default: every table)." };
        var includeWal = new Option<bool>("--include-wal") { Description = "Read committed WAL frames over the file (the default)." };
        var noWal = CommonOptions.NoWal();
        var rollback = CommonOptions.RollbackJournal();
        var blobs = new Option<BlobFormat>("--blob-format") { Description = "How blobs are written: base64 or hex.", DefaultValueFactory = _ => BlobFormat.Base64 };
        var command = new Command("dump", "Every row of a table read by our file-format reader alone, each with its provenance (page, cell offset, WAL frame). JSON lines with --json.")
        {
            db, table, includeWal, noWal, rollback, json, blobs,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(includeWal) && result.GetValue(noWal))
            {
                result.AddError("--include-wal and --no-wal exclude each other.");
            }
        });
        command.SetAction((parse, ct) => CommandGuard.RunAsync(token =>
        {
            using var database = CommonOptions.Open(parse.GetValue(db)!, CommonOptions.ReadOptions(parse.GetValue(noWal), parse.GetValue(rollback)));
            string? name = parse.GetValue(table);
            var tables = name is not null
                ? [database.GetTableDefinition(name)]
                : database.Schema.Where(o => o.Type == "table" && o.RootPage != 0).Select(o => database.GetTableDefinition(o.Name)).ToList();
            long rows = parse.GetValue(json)
                ? WriteJsonLines(database, tables, parse.GetValue(blobs), token)
                : WriteText(database, tables, token);
            foreach (var finding in database.Findings)
            {
                Console.Error.WriteLine(finding);
            }

            Console.Error.WriteLine($"{rows} row(s) from {tables.Count} table(s); {database.Findings.Count} finding(s)");
            return Task.FromResult(CommandGuard.FromFindings(database.Findings));
        }, ct));
        return command;
    }

    private static long WriteJsonLines(SqliteDatabase db, IReadOnlyList<TableDefinition> tables, BlobFormat blobs, CancellationToken cancellationToken)
    {
        using var stdout = new BufferedStream(Console.OpenStandardOutput(), 1 << 16);
        using var writer = JsonOutput.CreateWriter(stdout);
        long count = 0;
        foreach (var table in tables)
        {
            foreach (var row in db.ReadRows(db.FindObject(table.Name)!.RootPage, table))
            {
                cancellationToken.ThrowIfCancellationRequested();
                writer.WriteStartObject();
                writer.WriteString("table", table.Name);
                writer.WriteNumber("page", row.Provenance.Page);
                writer.WriteNumber("cell_offset", row.Provenance.CellOffset);
                if (row.Provenance.WalFrame >= 0)
                {
                    writer.WriteNumber("wal_frame", row.Provenance.WalFrame);
                }

                if (row.Provenance.FromJournal)
                {
                    writer.WriteBoolean("from_journal", true);
                }

                if (row.Rowid is long rowid)
                {
                    writer.WriteNumber("rowid", rowid);
                }

                writer.WriteStartObject("values");
                for (int i = 0; i < table.Columns.Count; i++)
                {
                    writer.WritePropertyName(table.Columns[i].Name);
                    JsonOutput.WriteValue(writer, row.Values[i], blobs);
                }

                writer.WriteEndObject();
                writer.WriteEndObject();
                writer.Flush();
                writer.Reset();
                stdout.WriteByte((byte)'\n');
                count++;
            }
        }

        return count;
    }

    private static long WriteText(SqliteDatabase db, IReadOnlyList<TableDefinition> tables, CancellationToken cancellationToken)
    {
        var output = Console.Out;
        long count = 0;
        var line = new StringBuilder();
        foreach (var table in tables)
        {
            output.WriteLine($"# {table.Name} ({string.Join(", ", table.Columns.Select(c => c.Name))}){(table.WithoutRowid ? " WITHOUT ROWID" : "")}");
            foreach (var row in db.ReadRows(db.FindObject(table.Name)!.RootPage, table))
            {
                cancellationToken.ThrowIfCancellationRequested();
                line.Clear().Append("page ").Append(row.Provenance.Page).Append('+').Append(row.Provenance.CellOffset);
                if (row.Provenance.WalFrame >= 0)
                {
                    line.Append(" wal#").Append(row.Provenance.WalFrame);
                }

                for (int i = 0; i < table.Columns.Count; i++)
                {
                    line.Append(i == 0 ? "  " : " | ").Append(table.Columns[i].Name).Append('=').Append(Show(row.Values[i]));
                }

                output.WriteLine(line);
                count++;
            }
        }

        return count;
    }

    private static string Show(object? value) => value switch
    {
        null => "NULL",
        byte[] b when b.Length > 32 => $"x'{Convert.ToHexStringLower(b.AsSpan(0, 32))}…' ({b.Length} bytes)",
        byte[] b => $"x'{Convert.ToHexStringLower(b)}'",
        string s => '"' + s + '"',
        double d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };
}
