using Microsoft.Data.Sqlite;
using Waku.StoreForensics.Schema;
using Waku.StoreForensics.Sqlite;

namespace Waku.StoreForensics.Tests.Schema;

/// <summary>Real SQLite files for the tests: nwaku's migration scripts replayed, and schema read back.</summary>
internal static class SqliteFixtures
{
    private static readonly string MigrationsDirectory = Path.Combine(AppContext.BaseDirectory, "Schema", "NwakuMigrations");

    private static readonly string Root = CreateRoot();

    // One folder per test run; folders of runs older than an hour are removed so repeated runs do not pile up.
    private static string CreateRoot()
    {
        string parent = Path.Combine(Path.GetTempPath(), "wsf-tests");
        Directory.CreateDirectory(parent);
        foreach (DirectoryInfo old in new DirectoryInfo(parent).EnumerateDirectories().Where(d => d.CreationTimeUtc < DateTime.UtcNow.AddHours(-1)))
        {
            try
            {
                old.Delete(recursive: true);
            }
            catch (IOException)
            {
                // another run is using it
            }
        }

        return Path.Combine(parent, $"run-{Environment.ProcessId}-{Guid.NewGuid():N}");
    }

    public static string NewPath(string name)
    {
        string dir = Path.Combine(Root, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, name);
    }

    public static SqliteConnection Open(string path, bool readOnly = false)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString());
        connection.Open();
        return connection;
    }

    public static void Execute(SqliteConnection connection, string sql)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public static object? Scalar(SqliteConnection connection, string sql)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    /// <summary>
    /// Replays message scripts 1..<paramref name="upTo"/> as nwaku's migrator does (v0.13+ common/databases/db_sqlite.nim):
    /// each file split on ';', statements executed one by one, then user_version set to the target.
    /// </summary>
    public static void ReplayMessageMigrations(SqliteConnection connection, int upTo, int? from = null, Action<int>? afterScript = null)
    {
        foreach (string file in Directory.GetFiles(MigrationsDirectory, "message_store_*.up.sql").Order(StringComparer.Ordinal))
        {
            int number = int.Parse(Path.GetFileName(file).AsSpan("message_store_".Length, 5), System.Globalization.CultureInfo.InvariantCulture);
            if (number > upTo || number <= (from ?? 0))
            {
                continue;
            }

            RunScript(connection, file);
            afterScript?.Invoke(number);
        }

        Execute(connection, $"PRAGMA user_version = {upTo};");
    }

    public static void ReplayPeerMigration(SqliteConnection connection) =>
        RunScript(connection, Path.Combine(MigrationsDirectory, "peer_store_00001_addPeerTable.up.sql"));

    private static void RunScript(SqliteConnection connection, string file)
    {
        foreach (string statement in File.ReadAllText(file).Split(';'))
        {
            if (!string.IsNullOrWhiteSpace(statement))
            {
                Execute(connection, statement);
            }
        }
    }

    public static (int UserVersion, List<SchemaObject> Objects) ReadSchema(SqliteConnection connection)
    {
        int userVersion = Convert.ToInt32(Scalar(connection, "PRAGMA user_version;"), System.Globalization.CultureInfo.InvariantCulture);
        var objects = new List<SchemaObject>();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "SELECT type, name, tbl_name, sql, rootpage FROM sqlite_schema";
        using SqliteDataReader reader = command.ExecuteReader();
        while (reader.Read())
        {
            objects.Add(new SchemaObject(reader.GetString(0), reader.GetString(1), reader.GetString(2), (uint)reader.GetInt64(4), reader.IsDBNull(3) ? null : reader.GetString(3)));
        }

        return (userVersion, objects);
    }

    public static List<object?[]> ReadRows(SqliteConnection connection, string table) =>
        Waku.StoreForensics.Tests.Sqlite.RandomDatabase.Query(connection, $"SELECT * FROM {table}");
}
