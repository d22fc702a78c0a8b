using System.CommandLine;
using Waku.StoreForensics.Cli.Commands;

namespace Waku.StoreForensics.Cli;

/// <summary>Builds the command tree; each command lives in its own file.</summary>
public static class CliApp
{
    /// <summary>Parses <paramref name="args"/>, runs the chosen command and returns its exit code.</summary>
    public static Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("Forensics for the SQLite store of a Waku v2 node (nwaku).")
        {
            ScanCommand.Create(),
            RecoverCommand.Create(),
            PagesCommand.Create(),
            DumpCommand.Create(),
            ProbeCommand.Create(),
            QueryCommand.Create(),
            ReseedCommand.Create(),
            ReseedPeersCommand.Create(),
            DiffCommand.Create(),
            ReportCommand.Create(),
        };
        return root.Parse(args).InvokeAsync();
    }
}
