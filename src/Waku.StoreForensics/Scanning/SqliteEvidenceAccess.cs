using Microsoft.Data.Sqlite;

namespace Waku.StoreForensics.Scanning;

/// <summary>
/// How the native SQLite library reads a database without any chance of changing it or its sidecar files.
/// A file alone (no <c>-wal</c>, no <c>-journal</c>) is read in place, opened as immutable: read-only, without
/// locks, <c>-shm</c> or WAL, as SQLite reads read-only media, so there is nothing it could write. With a
/// sidecar, SQLite has to apply the WAL (creating <c>-shm</c>) or roll the journal back, so it reads a
/// <see cref="PrivateCopy"/> of the file and its sidecars instead (copying a 1 GB store costs more than reading it).
/// </summary>
public sealed class SqliteEvidenceAccess : IDisposable
{
    private readonly PrivateCopy? _copy;

    private SqliteEvidenceAccess(string connectionString, PrivateCopy? copy)
    {
        ConnectionString = connectionString;
        _copy = copy;
    }

    /// <summary>Connection string (no pooling) under which SQLite reads the database.</summary>
    public string ConnectionString { get; }

    /// <summary>True when SQLite reads the evidence itself (immutable), false when it reads a private copy.</summary>
    public bool InPlace => _copy is null;

    /// <summary>Prepares read access to <paramref name="databasePath"/>: in place when it has no sidecar file, else on a copy.</summary>
    public static SqliteEvidenceAccess Open(string databasePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        string path = Path.GetFullPath(databasePath);
        if (!File.Exists(path + "-wal") && !File.Exists(path + "-journal"))
        {
            // sqlite.org/uri.html: "immutable=1" implies read-only and skips locking and change detection; SQLite
            // then opens no -wal, -shm or -journal at all. A sidecar that appears later is ignored, as a copy taken now would lack it.
            var inPlace = new SqliteConnectionStringBuilder
            {
                DataSource = FileUri(path) + "?immutable=1",
                Mode = SqliteOpenMode.ReadOnly,
                Pooling = false,
            };
            return new SqliteEvidenceAccess(inPlace.ToString(), null);
        }

        var copy = PrivateCopy.Of(path);
        return new SqliteEvidenceAccess(new SqliteConnectionStringBuilder { DataSource = copy.Path, Pooling = false }.ToString(), copy);
    }

    /// <summary>A <c>file:</c> URI for an absolute path, every segment percent-encoded (sqlite.org/uri.html §3.1).</summary>
    private static string FileUri(string fullPath)
    {
        string slashed = fullPath.Replace('\\', '/');
        string[] segments = slashed.Split('/');
        string encoded = string.Join('/', segments.Select(Uri.EscapeDataString));
        return "file:" + (slashed.StartsWith('/') ? "" : "/") + encoded;
    }

    /// <inheritdoc/>
    public void Dispose() => _copy?.Dispose();
}
