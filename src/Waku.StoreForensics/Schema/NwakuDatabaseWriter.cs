using Microsoft.Data.Sqlite;

namespace Waku.StoreForensics.Schema;

/// <summary>
/// Writes a database the way nwaku leaves it: the exact DDL text of a catalogued layout, the indexes its driver
/// creates at start, <c>PRAGMA user_version</c>, WAL journal mode (nwaku sets it on every open), topics and keys
/// bound as BLOBs. Rows go in through one prepared statement inside one transaction per call, so millions of
/// rows take seconds.
/// </summary>
public sealed class NwakuDatabaseWriter : IDisposable
{
    private readonly SqliteConnection _connection;

    private NwakuDatabaseWriter(SqliteConnection connection, MessageTableSchema? messages, PeerTableSchema? peers)
    {
        _connection = connection;
        MessageSchema = messages;
        PeerSchema = peers;
    }

    /// <summary>The Message layout written, if any.</summary>
    public MessageTableSchema? MessageSchema { get; }

    /// <summary>The Peer layout written, if any.</summary>
    public PeerTableSchema? PeerSchema { get; }

    /// <summary>
    /// Creates a new database at <paramref name="path"/> (which must not exist) with the given tables.
    /// </summary>
    /// <param name="path">File to create.</param>
    /// <param name="messages">Message layout, or null for a peers-only file (v0.13+ <c>peers.db</c>).</param>
    /// <param name="peers">Peer layout, or null (v0.13+ keep peers in a separate file).</param>
    /// <param name="userVersion">user_version; null for the first value of the layout (<see cref="TableSchema.UserVersions"/>).</param>
    /// <param name="cacheMebibytes">
    /// Page cache of this connection, 0 for SQLite's default (2 MiB). A large cache keeps one big transaction from
    /// spilling the same b-tree pages to the WAL again and again; it is not stored in the file.
    /// </param>
    /// <param name="bulkLoad">
    /// Write without a journal and without syncing (a file that is verified and renamed afterwards, where a crash
    /// only loses the temporary file); the caller switches it to WAL mode when done, as nwaku requires.
    /// </param>
    public static NwakuDatabaseWriter Create(string path, MessageTableSchema? messages, PeerTableSchema? peers = null, int? userVersion = null, int cacheMebibytes = 0, bool bulkLoad = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(cacheMebibytes);
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (messages is null && peers is null)
        {
            throw new ArgumentException("Nothing to write: give a Message or a Peer layout.", nameof(messages));
        }

        if (File.Exists(path))
        {
            throw new IOException($"{path} exists; the writer only creates new databases.");
        }

        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString());
        connection.Open();
        try
        {
            if (cacheMebibytes > 0)
            {
                Execute(connection, $"PRAGMA cache_size = -{cacheMebibytes * 1024};");
            }

            // nwaku: "PRAGMA journal_mode = WAL;" must answer wal (common/databases/db_sqlite.nim).
            string wanted = bulkLoad ? "off" : "wal";
            if (bulkLoad)
            {
                Execute(connection, "PRAGMA synchronous = OFF;");
            }

            string? mode = Scalar(connection, $"PRAGMA journal_mode = {wanted};") as string;
            if (!string.Equals(mode, wanted, StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"SQLite refused journal mode {wanted} (answered {mode}).");
            }

            if (messages is not null)
            {
                Execute(connection, messages.StoredSql);
                foreach (IndexDefinition index in messages.Indexes.Where(i => i.IsCreatedAtStart))
                {
                    Execute(connection, index.Sql);
                }
            }

            if (peers is not null)
            {
                Execute(connection, peers.StoredSql);
            }

            int version = userVersion ?? (messages ?? (TableSchema)peers!).UserVersions[0];
            Execute(connection, $"PRAGMA user_version = {version};");
            return new NwakuDatabaseWriter(connection, messages, peers);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens an existing nwaku database for adding rows to its tables (as <c>reseed</c> does): the file's journal
    /// mode and <c>user_version</c> are left as they are, a busy node holding the write lock is waited for up to
    /// <paramref name="busyTimeout"/>, and commits are not synced one by one (<c>synchronous = NORMAL</c>).
    /// </summary>
    /// <param name="path">The database; it must exist.</param>
    /// <param name="messages">Its Message layout, or null.</param>
    /// <param name="peers">Its Peer layout, or null.</param>
    /// <param name="busyTimeout">How long a write waits for another connection's lock.</param>
    public static NwakuDatabaseWriter OpenExisting(string path, MessageTableSchema? messages, PeerTableSchema? peers, TimeSpan busyTimeout)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path} does not exist", path);
        }

        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false,
            // Microsoft.Data.Sqlite retries a busy statement until this many seconds pass, and forever at 0.
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(busyTimeout.TotalSeconds)),
        }.ToString());
        try
        {
            connection.Open();
            Execute(connection, $"PRAGMA busy_timeout = {(long)busyTimeout.TotalMilliseconds};");
            // One fsync per checkpoint instead of per commit (in WAL mode): a crash can lose the last transactions but
            // never corrupts the file, and the caller's next run re-adds what was lost.
            Execute(connection, "PRAGMA synchronous = NORMAL;");
            return new NwakuDatabaseWriter(connection, messages, peers);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Inserts Message rows (values in declaration order) in one transaction; returns how many.</summary>
    public long InsertMessages(IEnumerable<object?[]> rows) =>
        Insert(MessageSchema ?? throw new InvalidOperationException("This file has no Message table."), rows, "INSERT");

    /// <summary>
    /// Inserts the Message rows whose primary key is not in the table yet, in one transaction, and returns how
    /// many were new (the others are left untouched, as nwaku drops a message it already stored).
    /// </summary>
    public long InsertMissingMessages(IEnumerable<object?[]> rows) =>
        Insert(MessageSchema ?? throw new InvalidOperationException("This file has no Message table."), rows, "INSERT OR IGNORE");

    /// <summary>Inserts Peer rows (values in declaration order) in one transaction; returns how many.</summary>
    public long InsertPeers(IEnumerable<object?[]> rows) =>
        Insert(PeerSchema ?? throw new InvalidOperationException("This file has no Peer table."), rows, "INSERT");

    /// <summary>
    /// Replaces Peer rows by peer ID in one transaction, as nwaku's <c>REPLACE INTO Peer</c> does, creating the table
    /// with the layout's DDL first when the file has none; returns how many.
    /// </summary>
    /// <param name="rows">Rows, values in declaration order.</param>
    /// <param name="columns">How many leading columns are written: nwaku v0.23+ writes only <c>(peerId, storedInfo)</c>
    /// and leaves the others NULL; before, all four.</param>
    public long ReplacePeers(IEnumerable<object?[]> rows, int columns)
    {
        var schema = PeerSchema ?? throw new InvalidOperationException("No Peer layout was given.");
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(columns, schema.Columns.Count);
        return Insert(schema, rows, "REPLACE", columns, createTable: true);
    }

    private long Insert(TableSchema schema, IEnumerable<object?[]> rows, string verb, int? columns = null, bool createTable = false)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var written = schema.Columns.Take(columns ?? schema.Columns.Count).ToList();
        using SqliteTransaction transaction = _connection.BeginTransaction();
        if (createTable && !TableExists(schema.TableName))
        {
            Execute(_connection, schema.CreateSql);
        }

        string sql =
            $"{verb} INTO {schema.TableName} ({string.Join(", ", written.Select(c => c.Name))}) " +
            $"VALUES ({string.Join(", ", written.Select((_, i) => $"?{i + 1}"))});";
        using var statement = new PositionalStatement(_connection, sql);
        long count = 0;
        foreach (object?[] row in rows)
        {
            if (row.Length != schema.Columns.Count)
            {
                throw new ArgumentException($"A row has {row.Length} values; {schema.TableName} has {schema.Columns.Count} columns.", nameof(rows));
            }

            count += statement.Execute(row.AsSpan(0, written.Count));
        }

        transaction.Commit();
        return count;
    }

    private bool TableExists(string name)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = $name COLLATE NOCASE;";
        command.Parameters.AddWithValue("$name", name);
        return command.ExecuteScalar() is not null;
    }

    /// <inheritdoc />
    public void Dispose() => _connection.Dispose();

    private static void Execute(SqliteConnection connection, string sql)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
