using System.CommandLine;
using Waku.StoreForensics.Reporting;

namespace Waku.StoreForensics.Cli.Commands;

/// <summary><c>report &lt;report.json&gt;…</c>: the post-mortem, in Markdown, from the JSON reports of an incident response.</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var files = new Argument<FileInfo[]>("reports") { Description = "JSON reports written with --json by scan, recover, reseed, reseed-peers, diff and probe (any number, any order).", Arity = ArgumentArity.OneOrMore };
        var output = new Option<FileInfo?>("--out") { Description = "Write the Markdown here (through a temporary file and a rename) instead of stdout." };
        var command = new Command("report", "Write the post-mortem of an incident as Markdown from the JSON reports its response produced: the evidence with SHA-256, what was damaged, what was recovered and what proves it, what was refilled from peers, how the result was checked, which clients the probed nodes can serve, and the open items. Exit 0 when written, 2 when a file is missing or not such a report.")
        {
            files, output,
        };
        command.SetAction((parse, ct) => CommandGuard.RunAsync(async token =>
        {
            var reports = new List<object>();
            foreach (var file in parse.GetValue(files) ?? [])
            {
                if (!file.Exists)
                {
                    throw new FileNotFoundException($"{file.FullName} does not exist", file.FullName);
                }

                reports.Add(ReportJson.Read(file.FullName));
            }

            string markdown = PostMortem.ToMarkdown(reports, DateTimeOffset.UtcNow);
            if (parse.GetValue(output) is { } target)
            {
                string temporary = target.FullName + ".tmp-" + Environment.ProcessId;
                try
                {
                    await File.WriteAllTextAsync(temporary, markdown, token).ConfigureAwait(false);
                    File.Move(temporary, target.FullName, overwrite: true);
                }
                finally
                {
                    File.Delete(temporary); // gone after the rename; removes a partial file after a failure
                }

                await Console.Error.WriteLineAsync($"post-mortem written to {target.FullName}").ConfigureAwait(false);
            }
            else
            {
                await Console.Out.WriteAsync(markdown).ConfigureAwait(false);
            }

            return ExitCodes.Healthy;
        }, ct));
        return command;
    }
}
