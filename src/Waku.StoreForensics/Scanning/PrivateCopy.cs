using Microsoft.Data.Sqlite;

namespace Waku.StoreForensics.Scanning;

/// <summary>
/// A copy of a database and its <c>-wal</c>/<c>-journal</c> in a private temporary folder, for the native SQLite
/// library to open: SQLite creates or changes <c>-shm</c> and rolls back hot journals even when asked to read
/// only, so it never opens the evidence itself. The folder is removed on dispose.
/// </summary>
public sealed class PrivateCopy : IDisposable
{
    private readonly string _folder;

    private PrivateCopy(string folder, string path)
    {
        _folder = folder;
        Path = path;
    }

    /// <summary>Path of the copied database.</summary>
    public string Path { get; }

    /// <summary>Copies <paramref name="databasePath"/> and its sidecar files.</summary>
    public static PrivateCopy Of(string databasePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        string folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "wsf-copy-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        string copy = System.IO.Path.Combine(folder, "copy.db");
        try
        {
            File.Copy(databasePath, copy);
            foreach (string suffix in new[] { "-wal", "-journal" })
            {
                if (File.Exists(databasePath + suffix))
                {
                    File.Copy(databasePath + suffix, copy + suffix);
                }
            }
        }
        catch
        {
            Directory.Delete(folder, recursive: true);
            throw;
        }

        return new PrivateCopy(folder, copy);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless; the evidence was never opened by SQLite.
        }
    }
}
