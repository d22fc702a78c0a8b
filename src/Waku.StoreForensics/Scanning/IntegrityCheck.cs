using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;

namespace Waku.StoreForensics.Scanning;

/// <summary>What an <c>integrity_check</c> message is about.</summary>
public enum IntegrityProblemKind
{
    /// <summary>An index disagrees with its table (missing, extra or duplicate entries): queries that use the index return rows the table does not hold, or miss rows it does.</summary>
    IndexTableMismatch,
    /// <summary>A NOT NULL, CHECK or type constraint does not hold for a stored row.</summary>
    ConstraintViolation,
    /// <summary>B-tree, freelist or page accounting damage.</summary>
    PageStructure,
    /// <summary>Any other message.</summary>
    Other,
}

/// <summary>One message of SQLite's <c>PRAGMA integrity_check</c>, with the page and index it names.</summary>
/// <param name="Message">The message as SQLite wrote it.</param>
/// <param name="Kind">What the message is about.</param>
/// <param name="Page">The page it names, if any.</param>
/// <param name="Index">The index it names, if any.</param>
public sealed record IntegrityProblem(string Message, IntegrityProblemKind Kind, uint? Page, string? Index);

/// <summary>The outcome of running SQLite's own integrity check.</summary>
/// <param name="Ran">False when SQLite could not open or read the file at all.</param>
/// <param name="Problems">Every message except the single "ok".</param>
/// <param name="Error">Why SQLite could not run the check (when <paramref name="Ran"/> is false).</param>
/// <param name="SqliteVersion">Version of the SQLite library that ran the check.</param>
public sealed record IntegrityCheckResult(bool Ran, IReadOnlyList<IntegrityProblem> Problems, string? Error, string SqliteVersion)
{
    /// <summary>True when SQLite ran and reported "ok".</summary>
    public bool Ok => Ran && Problems.Count == 0;
}

/// <summary>
/// Runs <c>PRAGMA integrity_check</c> with the native SQLite library without touching the evidence: the
/// database and its <c>-wal</c>/<c>-journal</c> are copied into a private folder first, because SQLite opens a WAL
/// database by creating or changing <c>-shm</c> (and rolls a hot journal back) even when asked to read only.
/// </summary>
public static partial class IntegrityCheck
{
    /// <summary>Runs the check on a private copy of <paramref name="databasePath"/> and its sidecar files.</summary>
    public static IntegrityCheckResult Run(string databasePath, int maxMessages = 1000, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        using var copy = PrivateCopy.Of(databasePath);
        cancellationToken.ThrowIfCancellationRequested();
        return RunOnCopy(copy.Path, maxMessages, cancellationToken);
    }

    private static IntegrityCheckResult RunOnCopy(string copy, int maxMessages, CancellationToken cancellationToken)
    {
        string version = "";
        try
        {
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = copy, Pooling = false }.ToString());
            connection.Open();
            version = connection.ServerVersion;
            using var command = connection.CreateCommand();
            command.CommandText = $"PRAGMA integrity_check({Math.Max(1, maxMessages)})";
            // A cancelled command interrupts SQLite's check (sqlite3_interrupt) instead of waiting for it.
            using var interrupt = cancellationToken.Register(command.Cancel);
            using var reader = command.ExecuteReader();
            var problems = new List<IntegrityProblem>();
            while (reader.Read())
            {
                string text = reader.GetString(0);
                if (text == "ok")
                {
                    continue;
                }

                // SQLite may prefix the first message with "*** in database main ***" and join several with newlines.
                foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    if (!line.StartsWith("***", StringComparison.Ordinal))
                    {
                        problems.Add(Classify(line));
                    }
                }
            }

            return new IntegrityCheckResult(true, problems, null, version);
        }
        catch (SqliteException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        catch (SqliteException e)
        {
            return new IntegrityCheckResult(false, [], $"SQLite cannot check the file: {e.Message}", version);
        }
    }

    /// <summary>Maps one message to its kind, page and index (message texts from SQLite's integrity_check in btree.c and pragma.c).</summary>
    public static IntegrityProblem Classify(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        uint? page = PagePattern().Match(message) is { Success: true } p && uint.TryParse(p.Groups[1].ValueSpan, out uint n) ? n : null;
        var index = IndexPattern().Match(message);
        if (index.Success)
        {
            return new IntegrityProblem(message, IntegrityProblemKind.IndexTableMismatch, page, index.Groups[1].Value);
        }

        if (message.StartsWith("NULL value in", StringComparison.Ordinal) || message.StartsWith("CHECK constraint failed", StringComparison.Ordinal)
            || message.Contains("non-", StringComparison.Ordinal) && message.Contains("value in", StringComparison.Ordinal))
        {
            return new IntegrityProblem(message, IntegrityProblemKind.ConstraintViolation, page, null);
        }

        bool structural = page is not null || message.Contains("freelist", StringComparison.OrdinalIgnoreCase) || message.Contains("Tree ", StringComparison.Ordinal);
        return new IntegrityProblem(message, structural ? IntegrityProblemKind.PageStructure : IntegrityProblemKind.Other, page, null);
    }

    [GeneratedRegex(@"\b[Pp]age (\d+)")]
    private static partial Regex PagePattern();

    [GeneratedRegex(@"(?:missing from index|entries in index|non-unique entry in index) (\S+)")]
    private static partial Regex IndexPattern();
}
