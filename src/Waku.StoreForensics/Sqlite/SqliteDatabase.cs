using System.Buffers;
using System.Buffers.Binary;
using System.Collections;
using Waku.StoreForensics.Sqlite.Journal;
using Waku.StoreForensics.Sqlite.Wal;

namespace Waku.StoreForensics.Sqlite;

/// <summary>Which journal the reader lays over the database file.</summary>
public enum JournalOverlay
{
    /// <summary>Read the committed WAL over the file (what SQLite reads). A hot rollback journal is reported, not applied.</summary>
    Wal,
    /// <summary>Read the database file alone, as if no WAL or journal existed.</summary>
    None,
    /// <summary>Read the file as SQLite would after rolling back a hot journal (the WAL, if any, is ignored).</summary>
    RollbackJournal,
}

/// <summary>Options for <see cref="SqliteDatabase.Open"/>.</summary>
public sealed record SqliteReadOptions
{
    /// <summary>Default options: committed WAL applied.</summary>
    public static SqliteReadOptions Default { get; } = new();

    /// <summary>Journal laid over the database file.</summary>
    public JournalOverlay Overlay { get; init; } = JournalOverlay.Wal;

    /// <summary>Page size to use when the header's is destroyed; null to infer it.</summary>
    public int? PageSizeOverride { get; init; }
}

/// <summary>An entry of <c>sqlite_schema</c>.</summary>
/// <param name="Type">table, index, view or trigger.</param>
/// <param name="Name">Object name.</param>
/// <param name="TableName">Table the object belongs to.</param>
/// <param name="RootPage">Root b-tree page (0 for views and triggers).</param>
/// <param name="Sql">The CREATE statement (null for automatic indexes).</param>
public sealed record SchemaObject(string Type, string Name, string TableName, uint RootPage, string? Sql);

/// <summary>Where a row was read from.</summary>
/// <param name="Page">B-tree page holding the cell (an interior page for WITHOUT ROWID tables too).</param>
/// <param name="CellOffset">Offset of the cell within that page.</param>
/// <param name="WalFrame">WAL frame the page image came from, or -1 for the database file.</param>
/// <param name="FromJournal">True when the page image came from a hot rollback journal.</param>
public readonly record struct RowProvenance(uint Page, int CellOffset, int WalFrame, bool FromJournal);

/// <summary>A row decoded by the reader, with its provenance.</summary>
/// <param name="Values">Column values in declaration order: null, long, double, string or byte[].</param>
/// <param name="Rowid">The rowid for rowid tables, else null.</param>
/// <param name="Provenance">Where the row was read from.</param>
public sealed record SqliteRow(object?[] Values, long? Rowid, RowProvenance Provenance);

/// <summary>A row and the bytes it occupies in the file.</summary>
/// <param name="Row">The row.</param>
/// <param name="CellSize">Bytes of its cell on <see cref="RowProvenance.Page"/>.</param>
/// <param name="OverflowPages">Overflow pages its payload spills into, in chain order.</param>
public sealed record RowLocation(SqliteRow Row, int CellSize, IReadOnlyList<uint> OverflowPages);

/// <summary>
/// A SQLite database file opened strictly read-only by our own file-format reader, with its WAL or rollback
/// journal. Damage becomes <see cref="Findings"/>; reading goes on where it still can. Not thread-safe.
/// </summary>
public sealed partial class SqliteDatabase : IDisposable
{
    /// <summary>Deepest b-tree the reader descends; real trees of 2^32 pages are far shallower.</summary>
    internal const int MaxDepth = 40;

    private readonly PageSource _pages;
    private readonly List<SqliteFinding> _findings = new();
    private readonly HashSet<(SqliteFindingKind, uint, int)> _findingKeys = new();
    private IReadOnlyList<SchemaObject>? _schema;

    private SqliteDatabase(string path, PageSource pages, DatabaseHeader header, WalFile? wal, RollbackJournal? journal)
    {
        Path = path;
        _pages = pages;
        Header = header;
        Wal = wal;
        Journal = journal;
    }

    /// <summary>Path of the database file.</summary>
    public string Path { get; }
    /// <summary>The database header as read (from the WAL's copy of page 1 when it is newer).</summary>
    public DatabaseHeader Header { get; private set; }
    /// <summary>Page size in use (from the header, the WAL, an override or inference).</summary>
    public int PageSize => _pages.PageSize;
    /// <summary>Usable bytes per page.</summary>
    public int UsableSize { get; private set; }
    /// <summary>Text encoding used to decode TEXT values.</summary>
    public TextEncoding Encoding => Header.TextEncoding == TextEncoding.Unknown ? TextEncoding.Utf8 : Header.TextEncoding;
    /// <summary>Length of the database file in bytes.</summary>
    public long FileLength => _pages.FileLength;
    /// <summary>Pages in the database as SQLite would see it (committed WAL size, header or file size).</summary>
    public uint PageCount { get; private set; }
    /// <summary>Pages physically present in the file.</summary>
    public uint FilePageCount => _pages.FilePageCount;
    /// <summary>The <c>-wal</c> file, when present (applied only with <see cref="JournalOverlay.Wal"/>).</summary>
    public WalFile? Wal { get; }
    /// <summary>The <c>-journal</c> file, when present.</summary>
    public RollbackJournal? Journal { get; }
    /// <summary>Every finding so far: header, WAL, journal, schema, and whatever reading has met.</summary>
    public IReadOnlyList<SqliteFinding> Findings => _findings;

    /// <summary>
    /// Opens <paramref name="path"/> and its <c>-wal</c>/<c>-journal</c> read-only. Throws only when the file
    /// cannot be opened at all (missing, permission) or is too short to hold a header.
    /// </summary>
    public static SqliteDatabase Open(string path, SqliteReadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= SqliteReadOptions.Default;
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        WalFile? wal = null;
        RollbackJournal? journal = null;
        try
        {
            long length = RandomAccess.GetLength(handle);
            var first = new byte[DatabaseHeader.Length];
            int read = length >= DatabaseHeader.Length ? RandomAccess.Read(handle, first, 0) : 0;
            if (read < DatabaseHeader.Length)
            {
                throw new InvalidDataException($"{path} is {length} bytes, too short for a SQLite database header (100 bytes).");
            }

            DatabaseHeader.TryParse(first, out var fileHeader);
            wal = WalFile.TryOpen(path + "-wal");
            journal = RollbackJournal.TryOpen(path + "-journal");

            var findings = new List<SqliteFinding>();
            int pageSize = options.PageSizeOverride ?? fileHeader.PageSize;
            if (pageSize == 0 && wal is { HeaderValid: true })
            {
                pageSize = wal.PageSize;
                findings.Add(new SqliteFinding(SqliteFindingKind.HeaderPageSizeInvalid, SqliteFindingSeverity.Warning, 0, 16, $"page size taken from the WAL header: {pageSize}"));
            }

            if (pageSize == 0)
            {
                pageSize = InferPageSize(handle, length);
                findings.Add(new SqliteFinding(SqliteFindingKind.HeaderPageSizeInvalid, SqliteFindingSeverity.Warning, 0, 16, $"page size inferred from page structure: {pageSize}"));
            }

            var source = new PageSource(handle, length, pageSize,
                options.Overlay == JournalOverlay.Wal ? wal : null,
                options.Overlay == JournalOverlay.RollbackJournal ? journal : null);
            var db = new SqliteDatabase(path, source, fileHeader, wal, journal);
            db.Initialise(fileHeader, findings, options);
            return db;
        }
        catch
        {
            handle.Dispose();
            wal?.Dispose();
            journal?.Dispose();
            throw;
        }
    }

    private void Initialise(DatabaseHeader fileHeader, List<SqliteFinding> openFindings, SqliteReadOptions options)
    {
        // The WAL (or journal) may hold a newer (or older) page 1; SQLite reads the header through it, and
        // then the file's own copy is merely stale, so only the header in use is checked.
        var page1 = new byte[PageSize];
        var origin = _pages.Read(1, page1);
        bool overlaid = origin.WalFrame >= 0 || origin.FromJournal;
        if (overlaid && DatabaseHeader.TryParse(page1, out var effective))
        {
            Header = effective;
        }

        foreach (var f in Header.Validate(overlaid ? null : FileLength).Concat(openFindings))
        {
            Report(f);
        }

        UsableSize = Header.PageSize == PageSize ? Header.UsableSize : PageSize - Header.ReservedBytes;
        if (UsableSize < 480)
        {
            UsableSize = PageSize;
        }

        if (_pages.Wal is not null)
        {
            PageCount = _pages.Wal.CommittedDatabaseSize;
        }
        else if (_pages.Journal is not null && _pages.Journal.InitialDatabaseSize != 0)
        {
            PageCount = _pages.Journal.InitialDatabaseSize;
        }
        else
        {
            PageCount = Header.InHeaderSizeValid ? Header.DatabaseSizeInPages : FilePageCount;
        }

        foreach (var f in (Wal?.Findings ?? []).Concat(Journal?.Findings ?? []))
        {
            Report(f);
        }

        if (Journal is { IsHot: true } && Wal is { LastCommitFrame: >= 0 } && options.Overlay != JournalOverlay.None)
        {
            Report(new SqliteFinding(SqliteFindingKind.HotJournal, SqliteFindingSeverity.Warning, 0, 0, "both a committed WAL and a hot rollback journal exist; SQLite uses only one of them"));
        }
    }

    /// <summary>Highest page number a b-tree or chain may point to.</summary>
    internal uint MaxPage => Math.Max(PageCount, 1);

    internal void Report(SqliteFinding finding)
    {
        if (_findingKeys.Add((finding.Kind, finding.Page, finding.Offset)))
        {
            _findings.Add(finding);
        }
    }

    /// <summary>Reads the raw bytes of page <paramref name="pageNumber"/> (WAL/journal overlay applied) into <paramref name="destination"/>.</summary>
    public PageOrigin ReadPage(uint pageNumber, Span<byte> destination)
    {
        if (destination.Length < PageSize)
        {
            throw new ArgumentException($"Destination must hold {PageSize} bytes.", nameof(destination));
        }

        return _pages.Read(pageNumber, destination);
    }

    /// <summary>Reads page <paramref name="pageNumber"/> exactly as stored in the database file, ignoring any WAL or journal.</summary>
    public int ReadPageFromFile(uint pageNumber, Span<byte> destination)
    {
        if (destination.Length < PageSize)
        {
            throw new ArgumentException($"Destination must hold {PageSize} bytes.", nameof(destination));
        }

        return _pages.ReadFromFile(pageNumber, destination);
    }

    /// <summary>Decodes page <paramref name="pageNumber"/> as a b-tree page (for inspection and carving); null when it is not one.</summary>
    public BTreePage? ReadBTreePage(uint pageNumber)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(PageSize);
        try
        {
            _pages.Read(pageNumber, buffer);
            return BTreePage.TryDecode(buffer.AsSpan(0, PageSize), pageNumber, UsableSize);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The objects listed in <c>sqlite_schema</c> (read once, lazily).</summary>
    public IReadOnlyList<SchemaObject> Schema => _schema ??= ReadSchema();

    private List<SchemaObject> ReadSchema()
    {
        var result = new List<SchemaObject>();
        foreach (var entry in Walk(1, expectTable: true, observer: null))
        {
            var record = entry.Payload.AsSpan(0, entry.PayloadLength);
            if (!entry.Complete || !RecordDecoder.TryDecode(record, Encoding, entry.SerialTypes, out var values, out string? error))
            {
                Report(new SqliteFinding(SqliteFindingKind.SchemaInvalid, SqliteFindingSeverity.Error, entry.Page, entry.Cell.Offset, "sqlite_schema row does not decode"));
                continue;
            }

            if (values.Length < 5 || values[0] is not string type || values[1] is not string name || values[2] is not string table)
            {
                Report(new SqliteFinding(SqliteFindingKind.SchemaInvalid, SqliteFindingSeverity.Error, entry.Page, entry.Cell.Offset, $"sqlite_schema row has {values.Length} columns or wrong types"));
                continue;
            }

            uint root = values[3] is long r && r is > 0 and <= uint.MaxValue ? (uint)r : 0;
            result.Add(new SchemaObject(type, name, table, root, values[4] as string));
        }

        return result;
    }

    /// <summary>The schema entry of table or index <paramref name="name"/> (case-insensitive), or null.</summary>
    public SchemaObject? FindObject(string name) =>
        Schema.FirstOrDefault(o => string.Equals(o.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Parses the CREATE TABLE statement of <paramref name="table"/>.</summary>
    public TableDefinition GetTableDefinition(string table)
    {
        var entry = FindObject(table);
        if (entry is null || !string.Equals(entry.Type, "table", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"No table named '{table}' in the schema.", nameof(table));
        }

        if (string.Equals(entry.Name, "sqlite_sequence", StringComparison.OrdinalIgnoreCase) && entry.Sql is null)
        {
            entry = entry with { Sql = "CREATE TABLE sqlite_sequence(name,seq)" };
        }

        if (entry.Sql is null || !TableDefinition.TryParse(entry.Sql, out var definition, out string? error))
        {
            throw new InvalidDataException($"The CREATE TABLE statement of '{table}' cannot be parsed.");
        }

        return definition!;
    }

    /// <summary>
    /// Yields every row of <paramref name="table"/> lazily, in key order, values in declaration order. Rows whose
    /// record is damaged are skipped and reported in <see cref="Findings"/>.
    /// </summary>
    public IEnumerable<SqliteRow> ReadTable(string table)
    {
        var definition = GetTableDefinition(table);
        var entry = FindObject(table)!;
        return ReadRows(entry.RootPage, definition);
    }

    /// <summary>Yields rows of the b-tree rooted at <paramref name="rootPage"/> decoded with <paramref name="definition"/>.</summary>
    public IEnumerable<SqliteRow> ReadRows(uint rootPage, TableDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        int columns = definition.Columns.Count;
        foreach (var entry in Walk(rootPage, expectTable: !definition.WithoutRowid, observer: null))
        {
            if (!TryDecodeEntry(entry, out var record))
            {
                continue;
            }

            if (record.Length > columns)
            {
                Report(new SqliteFinding(SqliteFindingKind.RecordInvalid, SqliteFindingSeverity.Warning, entry.Page, entry.Cell.Offset, $"record has {record.Length} fields, table {definition.Name} has {columns} columns"));
            }

            yield return ToRow(definition, record, entry);
        }
    }

    /// <summary>Puts a stored record back in declaration order (fileformat2 §2.5 for WITHOUT ROWID) with its rowid alias.</summary>
    private static SqliteRow ToRow(TableDefinition definition, object?[] record, CellEntry entry)
    {
        var values = new object?[definition.Columns.Count];
        var order = definition.RecordOrder;
        for (int i = 0; i < record.Length && i < order.Count; i++)
        {
            values[order[i]] = record[i];
        }

        if (definition.RowidAliasColumn >= 0)
        {
            values[definition.RowidAliasColumn] = entry.Cell.Rowid;
        }

        return new SqliteRow(values, definition.WithoutRowid ? null : entry.Cell.Rowid, new RowProvenance(entry.Page, entry.Cell.Offset, entry.Origin.WalFrame, entry.Origin.FromJournal));
    }

    /// <summary>
    /// Yields every row of <paramref name="table"/> with the bytes it occupies: its cell (page, offset, size) and
    /// the overflow pages its payload spills into. Used to tell which rows survive a given damage.
    /// </summary>
    public IEnumerable<RowLocation> LocateRows(string table)
    {
        var definition = GetTableDefinition(table);
        var collector = new OverflowCollector();
        foreach (var entry in Walk(FindObject(table)!.RootPage, !definition.WithoutRowid, collector))
        {
            var overflow = collector.Take();
            if (!TryDecodeEntry(entry, out var record))
            {
                continue;
            }

            yield return new RowLocation(ToRow(definition, record, entry), entry.Cell.Size, overflow);
        }
    }

    private sealed class OverflowCollector : IPageObserver
    {
        private readonly List<uint> _pages = new();

        public void OnBTreePage(uint page, uint parent, BTreeHeader header, ReadOnlySpan<byte> data, PageOrigin origin)
        {
        }

        public void OnOverflowPage(uint page, uint parent, bool first, int usedBytes) => _pages.Add(page);

        public uint[] Take()
        {
            var pages = _pages.ToArray();
            _pages.Clear();
            return pages;
        }
    }

    /// <summary>
    /// Yields the raw records of any b-tree (index entries, or table rows as stored), lazily, with provenance.
    /// For rowid tables <see cref="SqliteRow.Rowid"/> is the key.
    /// </summary>
    public IEnumerable<SqliteRow> ReadRecords(uint rootPage)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(PageSize);
        bool table;
        try
        {
            _pages.Read(rootPage, buffer);
            int hdr = rootPage == 1 ? DatabaseHeader.Length : 0;
            table = buffer[hdr] is 5 or 13;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        foreach (var entry in Walk(rootPage, table, observer: null))
        {
            if (TryDecodeEntry(entry, out var record))
            {
                yield return new SqliteRow(record, table ? entry.Cell.Rowid : null, new RowProvenance(entry.Page, entry.Cell.Offset, entry.Origin.WalFrame, entry.Origin.FromJournal));
            }
        }
    }

    private bool TryDecodeEntry(CellEntry entry, out object?[] record)
    {
        record = [];
        if (!entry.Complete)
        {
            return false;
        }

        if (!RecordDecoder.TryDecode(entry.Payload.AsSpan(0, entry.PayloadLength), Encoding, entry.SerialTypes, out record, out string? error))
        {
            Report(new SqliteFinding(SqliteFindingKind.RecordInvalid, SqliteFindingSeverity.Error, entry.Page, entry.Cell.Offset, error!));
            return false;
        }

        return true;
    }

    /// <summary>Infers the page size of a file whose header lost it: the size at which most pages look like b-tree pages.</summary>
    private static int InferPageSize(Microsoft.Win32.SafeHandles.SafeFileHandle handle, long length)
    {
        int best = 4096;
        int bestScore = -1;
        Span<byte> probe = stackalloc byte[8];
        for (int size = 512; size <= 65536; size *= 2)
        {
            int score = 0;
            long pages = Math.Min(length / size, 256);
            for (long p = 1; p < pages; p++)
            {
                if (RandomAccess.Read(handle, probe, p * size) < 8)
                {
                    break;
                }

                int contentStart = BinaryPrimitives.ReadUInt16BigEndian(probe[5..]);
                if (BTreeHeader.IsBTreeType(probe[0]) && (contentStart == 0 ? 65536 : contentStart) <= size)
                {
                    score++;
                }
            }

            if (score > bestScore)
            {
                best = size;
                bestScore = score;
            }
        }

        return best;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _pages.Dispose();
        Wal?.Dispose();
        Journal?.Dispose();
    }

    /// <summary>A bitset of page numbers, sized once for the file: bounded memory for cycle detection.</summary>
    internal sealed class PageSet(uint maxPage)
    {
        private readonly BitArray _bits = new((int)Math.Min(int.MaxValue, (long)maxPage + 1));

        /// <summary>Marks <paramref name="page"/>; false when it was already marked or is out of range.</summary>
        public bool Add(uint page)
        {
            if (page >= _bits.Length || _bits[(int)page])
            {
                return false;
            }

            _bits[(int)page] = true;
            return true;
        }

        public bool Contains(uint page) => page < _bits.Length && _bits[(int)page];
    }
}
