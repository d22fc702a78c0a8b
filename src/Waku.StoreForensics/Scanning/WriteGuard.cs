namespace Waku.StoreForensics.Scanning;

/// <summary>Why a command that writes into an existing nwaku database (<c>reseed</c>, <c>reseed-peers</c>) refused to, or stopped.</summary>
public enum WriteRefusal
{
    /// <summary>The scan found damage (error findings); forcing overrides.</summary>
    DatabaseDamaged,

    /// <summary>A non-empty <c>-journal</c> sits beside the file: SQLite would roll it back on open, destroying
    /// evidence that <c>recover</c> reads. Never overridden.</summary>
    HotJournal,

    /// <summary>A non-empty <c>-wal</c> sits beside the file: the node may be running, or stopped uncleanly and the WAL
    /// holds uncheckpointed evidence. Forcing overrides (SQLite then replays and checkpoints it).</summary>
    WalNotEmpty,

    /// <summary>Another connection holds a lock (the node is running).</summary>
    DatabaseLocked,

    /// <summary>SQLite could not write (disk full, I/O error, a read-only file) part-way; what was committed stays.</summary>
    WriteFailed,

    /// <summary>The file has no Message table of a layout nwaku created.</summary>
    UnknownMessageLayout,

    /// <summary>The Peer table's columns match no layout nwaku created.</summary>
    UnknownPeerLayout,

    /// <summary>The file holds a Message table but no Peer table: from v0.13 nwaku keeps peers in <c>peers.db</c>.
    /// Forcing creates the table here (v0.3–v0.12 with <c>--persist-peers</c>).</summary>
    PeersBelongInPeersDb,
}

/// <summary>A write into an existing database was refused before anything was written; <see cref="Reason"/> says why.</summary>
public sealed class WriteRefusedException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public WriteRefusedException(WriteRefusal reason, string message, ScanReport? scan = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Reason = reason;
        Scan = scan;
    }

    /// <summary>Why.</summary>
    public WriteRefusal Reason { get; }

    /// <summary>The scan that found the damage, when that was the reason.</summary>
    public ScanReport? Scan { get; }
}

/// <summary>
/// The checks every command runs before it writes into an existing database: a file that is evidence (hot journal,
/// non-empty WAL) or damaged is not mixed with new rows unless the user forces it.
/// </summary>
public static class WriteGuard
{
    /// <summary>
    /// The typed error for a write SQLite rejected part-way: another connection's lock (BUSY, LOCKED) or anything else
    /// (disk full, I/O error, read-only file). <paramref name="committed"/> says what stays written.
    /// </summary>
    internal static WriteRefusedException Refusal(Microsoft.Data.Sqlite.SqliteException e, string committed) => e.SqliteErrorCode is 5 or 6
        ? new(WriteRefusal.DatabaseLocked, $"The database is locked by another connection (is the node running?): {e.Message}. {committed}", innerException: e)
        : new(WriteRefusal.WriteFailed, $"SQLite could not write the database: {e.Message}. {committed}", innerException: e);

    /// <summary>Checks <paramref name="path"/> and returns its scan.</summary>
    /// <exception cref="WriteRefusedException">A hot <c>-journal</c> (always), a non-empty <c>-wal</c> or error findings (unless <paramref name="force"/>).</exception>
    public static ScanReport Check(string path, bool force, ScanOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        // Only a hot journal (valid header, page images) is rolled back on open; a stale or zeroed one is harmless.
        using (var journal = Sqlite.Journal.RollbackJournal.TryOpen(path + "-journal"))
        {
            if (journal is { IsHot: true })
            {
                throw new WriteRefusedException(WriteRefusal.HotJournal,
                    $"{Path.GetFileName(path)}-journal is a hot journal: SQLite would roll it back on open and destroy evidence. Run recover on it, or write to a copy of the database alone.");
            }
        }

        var wal = new FileInfo(path + "-wal");
        if (wal.Exists && wal.Length > 0 && !force)
        {
            throw new WriteRefusedException(WriteRefusal.WalNotEmpty,
                $"{wal.Name} holds {wal.Length} bytes: the node may be running, or it stopped uncleanly and the WAL is evidence. Stop the node, or work on a copy; --force writes anyway (SQLite replays and checkpoints the WAL).");
        }

        var scan = StoreScanner.Scan(path, options, cancellationToken: cancellationToken);
        int damage = scan.Findings.Count(f => f.Severity == Validation.Severity.Error);
        if (damage > 0 && !force)
        {
            throw new WriteRefusedException(WriteRefusal.DatabaseDamaged,
                $"scan finds {damage} error finding(s) (integrity_check {scan.IntegrityCheck}; run scan for details): writing would mix new rows into a damaged file. Recover it first and work on the recovered database, or --force.", scan);
        }

        return scan;
    }
}
