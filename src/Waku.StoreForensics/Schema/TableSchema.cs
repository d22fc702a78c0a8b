namespace Waku.StoreForensics.Schema;

/// <summary>
/// One table layout nwaku created: its DDL as nwaku executes it, what SQLite keeps of it in
/// <c>sqlite_schema</c>, its columns with units, its primary key, indexes and the user_version it goes with.
/// </summary>
public abstract class TableSchema
{
    private readonly int[] _recordOrder;

    private protected TableSchema(
        string tableName,
        string releases,
        IReadOnlyList<ColumnDefinition> columns,
        IReadOnlyList<int> userVersions,
        string createSql,
        IReadOnlyList<string> storedSqlVariants,
        IReadOnlyList<IndexDefinition> indexes,
        string notes)
    {
        TableName = tableName;
        Releases = releases;
        Columns = columns;
        UserVersions = userVersions;
        CreateSql = createSql;
        StoredSqlVariants = storedSqlVariants;
        Indexes = indexes;
        Notes = notes;
        PrimaryKey = columns.Where(c => c.PrimaryKeyOrdinal > 0).OrderBy(c => c.PrimaryKeyOrdinal).Select(c => c.Name).ToArray();

        // WITHOUT ROWID b-tree records hold the primary-key columns first, in key order, then the other
        // columns in declaration order (sqlite.org/withoutrowid.html §4; fileformat2 §2.6 for indexes).
        _recordOrder = columns.Select((c, i) => (c, i)).Where(t => t.c.PrimaryKeyOrdinal > 0)
            .OrderBy(t => t.c.PrimaryKeyOrdinal).Select(t => t.i)
            .Concat(columns.Select((c, i) => (c, i)).Where(t => t.c.PrimaryKeyOrdinal == 0).Select(t => t.i))
            .ToArray();
    }

    /// <summary>Table name exactly as <c>sqlite_schema.name</c> holds it (SQLite compares names case-insensitively).</summary>
    public string TableName { get; }

    /// <summary>The nwaku releases that write this layout.</summary>
    public string Releases { get; }

    /// <summary>Columns in declaration order (the order of <c>SELECT *</c> and <c>PRAGMA table_info</c>).</summary>
    public IReadOnlyList<ColumnDefinition> Columns { get; }

    /// <summary>Primary-key column names in key order. Every nwaku table is WITHOUT ROWID.</summary>
    public IReadOnlyList<string> PrimaryKey { get; }

    /// <summary>The <c>PRAGMA user_version</c> values a consistent file with this layout carries.</summary>
    public IReadOnlyList<int> UserVersions { get; }

    /// <summary>The CREATE TABLE statement of the release that first creates this layout, verbatim.</summary>
    public string CreateSql { get; }

    /// <summary>
    /// The texts <c>sqlite_schema.sql</c> holds for the table along each of nwaku's paths to this layout (its
    /// own CREATE, or the migration scripts replayed: SQLite drops <c>IF NOT EXISTS</c> and rewrites the text on
    /// RENAME, ADD COLUMN and DROP COLUMN). The first is the text a fresh node of the newest producing release
    /// leaves, and the one <see cref="NwakuDatabaseWriter"/> writes.
    /// </summary>
    public IReadOnlyList<string> StoredSqlVariants { get; }

    /// <summary>The text a fresh node of the newest producing release leaves in <c>sqlite_schema.sql</c>.</summary>
    public string StoredSql => StoredSqlVariants[0];

    /// <summary>Indexes nwaku creates on this layout.</summary>
    public IReadOnlyList<IndexDefinition> Indexes { get; }

    /// <summary>Facts worth knowing about this layout.</summary>
    public string Notes { get; }

    /// <summary>Column positions (declaration order) in the order a WITHOUT ROWID b-tree record stores them.</summary>
    public IReadOnlyList<int> RecordOrder => _recordOrder;

    /// <summary>Index of the column with <paramref name="role"/> in declaration order, or -1.</summary>
    public int IndexOf(ColumnRole role)
    {
        for (int i = 0; i < Columns.Count; i++)
        {
            if (Columns[i].Role == role)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Index of the column named <paramref name="name"/> (case-insensitive) in declaration order, or -1.</summary>
    public int IndexOf(string name)
    {
        for (int i = 0; i < Columns.Count; i++)
        {
            if (string.Equals(Columns[i].Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// 16 bytes of SHA-256 over the primary-key values of <paramref name="row"/> (declaration order): enough to tell
    /// keys apart, small enough for sets over millions of rows.
    /// </summary>
    internal UInt128 KeyFingerprint(IReadOnlyList<object?> row)
    {
        var key = new List<byte>(40);
        foreach (string column in PrimaryKey)
        {
            byte[] bytes = row[IndexOf(column)] switch
            {
                byte[] b => b,
                long l => BitConverter.GetBytes(l),
                double d => BitConverter.GetBytes(d),
                string s => System.Text.Encoding.UTF8.GetBytes(s),
                _ => [],
            };
            key.AddRange(BitConverter.GetBytes(bytes.Length));
            key.AddRange(bytes);
        }

        Span<byte> digest = stackalloc byte[32];
        System.Security.Cryptography.SHA256.HashData(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(key), digest);
        return new UInt128(BitConverter.ToUInt64(digest), BitConverter.ToUInt64(digest[8..]));
    }

    /// <summary>
    /// Reorders the values of a b-tree record (primary key first) into declaration order. A record shorter than
    /// the column list is padded with nulls, as SQLite reads columns added later by ALTER TABLE ADD COLUMN.
    /// </summary>
    public object?[] RecordToDeclaredOrder(IReadOnlyList<object?> recordValues)
    {
        ArgumentNullException.ThrowIfNull(recordValues);
        var declared = new object?[Columns.Count];
        for (int r = 0; r < _recordOrder.Length && r < recordValues.Count; r++)
        {
            declared[_recordOrder[r]] = recordValues[r];
        }

        return declared;
    }

}

/// <summary>One Message-table layout of the catalog.</summary>
public sealed class MessageTableSchema : TableSchema
{
    internal MessageTableSchema(
        MessageSchemaId id,
        string tableName,
        string releases,
        IReadOnlyList<ColumnDefinition> columns,
        IReadOnlyList<int> userVersions,
        string createSql,
        IReadOnlyList<string> storedSqlVariants,
        IReadOnlyList<IndexDefinition> indexes,
        bool isTransient,
        string notes)
        : base(tableName, releases, columns, userVersions, createSql, storedSqlVariants, indexes, notes)
    {
        Id = id;
        IsTransient = isTransient;
    }

    /// <summary>Catalog identifier.</summary>
    public MessageSchemaId Id { get; }

    /// <summary>True for layouts that exist only in the middle of a migration run.</summary>
    public bool IsTransient { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Id} ({TableName}, {Releases})";
}

/// <summary>One Peer-table layout of the catalog.</summary>
public sealed class PeerTableSchema : TableSchema
{
    internal PeerTableSchema(
        PeerSchemaId id,
        string releases,
        IReadOnlyList<ColumnDefinition> columns,
        IReadOnlyList<int> userVersions,
        string createSql,
        IReadOnlyList<string> storedSqlVariants,
        string notes)
        : base("Peer", releases, columns, userVersions, createSql, storedSqlVariants, [], notes)
    {
        Id = id;
    }

    /// <summary>Catalog identifier.</summary>
    public PeerSchemaId Id { get; }

    /// <inheritdoc />
    public override string ToString() => $"Peer {Id} ({Releases})";
}
