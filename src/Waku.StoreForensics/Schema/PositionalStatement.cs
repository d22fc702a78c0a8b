using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Waku.StoreForensics.Schema;

/// <summary>
/// A statement prepared once and run once per row, its values bound by position through SQLite's C API. For
/// bulk writes: <see cref="SqliteCommand"/> looks every parameter up by name and re-enumerates the statement on
/// each execution, which costs a fifth of a million-row load. Runs inside the connection's open transaction.
/// </summary>
internal sealed class PositionalStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;

    public PositionalStatement(SqliteConnection connection, string sql)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        SqliteException.ThrowExceptionForRC(raw.sqlite3_prepare_v2(_db, sql, out _statement), _db);
    }

    /// <summary>Binds <paramref name="values"/> to ?1, ?2, … in order, runs the statement, and returns the rows it changed.</summary>
    public int Execute(ReadOnlySpan<object?> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            SqliteException.ThrowExceptionForRC(Bind(i + 1, values[i]), _db);
        }

        int rc = raw.sqlite3_step(_statement);
        raw.sqlite3_reset(_statement);
        if (rc != raw.SQLITE_DONE)
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }

        return raw.sqlite3_changes(_db);
    }

    /// <summary>Binds with the storage class of the value: BLOB for bytes, as nwaku's <c>sqlite3_bind_blob</c> does.</summary>
    private int Bind(int index, object? value) => value switch
    {
        null or DBNull => raw.sqlite3_bind_null(_statement, index),
        // A zero-length blob pointer would bind NULL: an empty BLOB is a zeroblob of length 0.
        byte[] { Length: 0 } => raw.sqlite3_bind_zeroblob(_statement, index, 0),
        byte[] b => raw.sqlite3_bind_blob(_statement, index, b),
        long l => raw.sqlite3_bind_int64(_statement, index, l),
        int i => raw.sqlite3_bind_int64(_statement, index, i),
        double d => raw.sqlite3_bind_double(_statement, index, d),
        string s => raw.sqlite3_bind_text(_statement, index, s),
        var other => throw new ArgumentException($"Unsupported value type {other.GetType()} in a row."),
    };

    public void Dispose() => _statement.Dispose();
}
