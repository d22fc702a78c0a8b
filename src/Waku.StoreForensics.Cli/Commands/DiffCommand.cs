using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Waku.StoreForensics.Comparison;

namespace Waku.StoreForensics.Cli.Commands;

/// <summary><c>diff &lt;left&gt; &lt;right&gt;</c>: which rows two nwaku databases do not share, and which columns differ.</summary>
internal static class DiffCommand
{
    public static Command Create()
    {
        var left = new Argument<FileInfo>("left") { Description = "First database (read-only, with its -wal as of the last commit)." };
        var right = new Argument<FileInfo>("right") { Description = "Second database (read-only, with its -wal as of the last commit)." };
        var show = new Option<int>("--show") { Description = "Differing keys listed per table (all are counted).", DefaultValueFactory = _ => 20 };
        var noWal = CommonOptions.NoWal();
        var json = CommonOptions.Json();
        var command = new Command("diff", "Compare the Message and Peer tables of two nwaku databases row by row: keys only one holds, and the columns that differ where both hold a key. Same layout: by primary key, every column and storage class. Other layouts: the older file's rows converted to the newer layout as nwaku's migrations would. Both files are only read (our page reader: no -wal or -shm created). Exit 0 when identical, 1 when they differ or a file could not be read completely, 2 when a file is missing or holds no nwaku Message table.")
        {
            left, right, show, noWal, json,
        };
        command.SetAction((parse, ct) => CommandGuard.RunAsync(async token =>
        {
            foreach (var file in new[] { parse.GetValue(left)!, parse.GetValue(right)! })
            {
                if (!file.Exists)
                {
                    throw new FileNotFoundException($"{file.FullName} does not exist", file.FullName);
                }
            }

            var report = StoreDiff.Compare(parse.GetValue(left)!.FullName, parse.GetValue(right)!.FullName,
                new StoreDiffOptions { MaxListed = Math.Max(0, parse.GetValue(show)), ApplyWal = !parse.GetValue(noWal) }, token);
            await Console.Out.WriteAsync(parse.GetValue(json)
                ? JsonSerializer.Serialize(report, JsonOutput.Options) + Environment.NewLine
                : Render(report)).ConfigureAwait(false);
            return report.Identical ? ExitCodes.Healthy : ExitCodes.DamageFound;
        }, ct));
        return command;
    }

    /// <summary>The plain-text rendering.</summary>
    internal static string Render(StoreDiffReport report)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(inv, $"left   {report.Left[0].Path}  {report.LeftLayout}  sha256 {report.Left[0].Sha256}");
        sb.AppendLine(inv, $"right  {report.Right[0].Path}  {report.RightLayout}  sha256 {report.Right[0].Sha256}");
        if (report.ComparedBy == DiffKey.ConvertedPrimaryKey)
        {
            sb.AppendLine(inv, $"layouts differ: the older file's rows are compared as nwaku's migrations would convert them to {(report.LeftLayout > report.RightLayout ? report.LeftLayout : report.RightLayout)}");
        }

        foreach (var table in new[] { report.Messages, report.Peers })
        {
            if (table is null)
            {
                continue;
            }

            sb.AppendLine();
            sb.AppendLine(inv, $"{table.Table}: left {table.LeftRows} rows, right {table.RightRows} rows; same {table.Same}, only left {table.OnlyLeft}, only right {table.OnlyRight}, differing {table.Differing}{(table.RepeatedKeys > 0 ? string.Create(inv, $", repeated keys {table.RepeatedKeys}") : "")}");
            if (table.DifferingColumns.Count > 0)
            {
                sb.AppendLine(inv, $"  differing columns: {string.Join(", ", table.DifferingColumns.Select(c => string.Create(inv, $"{c.Key} {c.Value}")))}");
            }

            foreach (var row in table.Listed)
            {
                string what = row.Difference switch
                {
                    RowDifference.OnlyLeft => "only left ",
                    RowDifference.OnlyRight => "only right",
                    _ => "differs   ",
                };
                sb.AppendLine(inv, $"  {what}  {row.Key}{(row.Columns.Count > 0 ? "  " + string.Join(", ", row.Columns) : "")}");
            }
        }

        if (report.PeersNotCompared is { } why)
        {
            sb.AppendLine();
            sb.AppendLine(why switch
            {
                "none_in_either" => "Peer tables: neither file has one.",
                "only_left" => "Peer tables not compared: only the left file has one (v0.13+ keep peers in peers.db).",
                "only_right" => "Peer tables not compared: only the right file has one (v0.13+ keep peers in peers.db).",
                _ => "Peer tables not compared: their layouts differ.",
            });
        }

        if (report.LeftReadErrors + report.RightReadErrors > 0)
        {
            sb.AppendLine(inv, $"read errors: left {report.LeftReadErrors}, right {report.RightReadErrors} (rows behind damage were not read; run scan)");
        }

        sb.AppendLine();
        sb.AppendLine(report.Identical ? "identical" : "DIFFERENT");
        return sb.ToString();
    }
}
