using Waku.StoreForensics.Sqlite;

namespace Waku.StoreForensics.Cli;

/// <summary>Turns the failures a user can cause into one clear line and exit code 2, never a stack trace.</summary>
internal static class CommandGuard
{
    public static async Task<int> RunAsync(Func<CancellationToken, Task<int>> body, CancellationToken cancellationToken)
    {
        try
        {
            return await body(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("cancelled").ConfigureAwait(false);
            return ExitCodes.Cancelled;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            await Console.Error.WriteLineAsync($"error: no such file: {(e as FileNotFoundException)?.FileName ?? e.Message}").ConfigureAwait(false);
            return ExitCodes.CouldNotRun;
        }
        catch (Scanning.WriteRefusedException e)
        {
            await Console.Error.WriteLineAsync($"refused ({System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(e.Reason.ToString())}): {e.Message}").ConfigureAwait(false);
            return ExitCodes.CouldNotRun;
        }
        catch (UnauthorizedAccessException e)
        {
            await Console.Error.WriteLineAsync($"error: permission denied: {e.Message}").ConfigureAwait(false);
            return ExitCodes.CouldNotRun;
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or IOException)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return ExitCodes.CouldNotRun;
        }
    }

    /// <summary>Exit code for a read that finished: 1 when any finding is an error.</summary>
    public static int FromFindings(IEnumerable<SqliteFinding> findings) =>
        findings.Any(f => f.Severity == SqliteFindingSeverity.Error) ? ExitCodes.DamageFound : ExitCodes.Healthy;
}
