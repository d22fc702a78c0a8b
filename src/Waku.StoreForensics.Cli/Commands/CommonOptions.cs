using System.CommandLine;
using Waku.StoreForensics.Sqlite;

namespace Waku.StoreForensics.Cli.Commands;

/// <summary>Arguments and options several commands share.</summary>
internal static class CommonOptions
{
    public static Argument<FileInfo> Database() => new("db") { Description = "Path of the SQLite database (opened read-only; its -wal/-journal are read, never written)." };

    public static Option<bool> Json() => new("--json") { Description = "Write machine-readable JSON (JSON lines for streams)." };

    public static Option<bool> NoWal() => new("--no-wal") { Description = "Read the database file alone, ignoring the -wal file." };

    public static Option<bool> RollbackJournal() => new("--rollback-journal") { Description = "Read the file as SQLite would after rolling back a hot -journal." };

    public static SqliteReadOptions ReadOptions(bool noWal, bool rollback) => new()
    {
        Overlay = rollback ? JournalOverlay.RollbackJournal : noWal ? JournalOverlay.None : JournalOverlay.Wal,
    };

    public static SqliteDatabase Open(FileInfo file, SqliteReadOptions options)
    {
        if (!file.Exists)
        {
            throw new FileNotFoundException($"{file.FullName} does not exist", file.FullName);
        }

        return SqliteDatabase.Open(file.FullName, options);
    }
}
