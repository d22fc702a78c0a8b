using System.Buffers.Binary;

namespace Waku.StoreForensics.Sqlite;

/// <summary>Text encoding of a database (fileformat2 §1.3.13).</summary>
public enum TextEncoding
{
    /// <summary>Header field holds no valid value.</summary>
    Unknown = 0,
    /// <summary>UTF-8.</summary>
    Utf8 = 1,
    /// <summary>UTF-16 little-endian.</summary>
    Utf16le = 2,
    /// <summary>UTF-16 big-endian.</summary>
    Utf16be = 3,
}

/// <summary>The 100-byte database header, every field as stored (fileformat2 §1.3).</summary>
public sealed record DatabaseHeader
{
    /// <summary>Size of the header in bytes.</summary>
    public const int Length = 100;

    internal static ReadOnlySpan<byte> Magic => "SQLite format 3\0"u8;

    /// <summary>True when the first 16 bytes are the SQLite magic string.</summary>
    public bool MagicValid { get; init; }
    /// <summary>Page size in bytes as decoded (the stored value 1 means 65536); 0 when invalid.</summary>
    public int PageSize { get; init; }
    /// <summary>Raw 2-byte page size field.</summary>
    public ushort RawPageSize { get; init; }
    /// <summary>File format write version: 1 legacy, 2 WAL.</summary>
    public byte WriteVersion { get; init; }
    /// <summary>File format read version: 1 legacy, 2 WAL.</summary>
    public byte ReadVersion { get; init; }
    /// <summary>Bytes reserved at the end of each page.</summary>
    public byte ReservedBytes { get; init; }
    /// <summary>Maximum embedded payload fraction (must be 64).</summary>
    public byte MaxPayloadFraction { get; init; }
    /// <summary>Minimum embedded payload fraction (must be 32).</summary>
    public byte MinPayloadFraction { get; init; }
    /// <summary>Leaf payload fraction (must be 32).</summary>
    public byte LeafPayloadFraction { get; init; }
    /// <summary>File change counter.</summary>
    public uint FileChangeCounter { get; init; }
    /// <summary>Size of the database in pages as the header says (valid only when <see cref="InHeaderSizeValid"/>).</summary>
    public uint DatabaseSizeInPages { get; init; }
    /// <summary>Page number of the first freelist trunk page, 0 when none.</summary>
    public uint FirstFreelistTrunkPage { get; init; }
    /// <summary>Total number of freelist pages.</summary>
    public uint FreelistPageCount { get; init; }
    /// <summary>Schema cookie.</summary>
    public uint SchemaCookie { get; init; }
    /// <summary>Schema format number (1 to 4).</summary>
    public uint SchemaFormat { get; init; }
    /// <summary>Default page cache size.</summary>
    public int DefaultCacheSize { get; init; }
    /// <summary>Largest root b-tree page when in auto- or incremental-vacuum mode, else 0.</summary>
    public uint LargestRootPage { get; init; }
    /// <summary>Raw text encoding field.</summary>
    public uint RawTextEncoding { get; init; }
    /// <summary>Text encoding, <see cref="TextEncoding.Unknown"/> when the field is out of spec.</summary>
    public TextEncoding TextEncoding => RawTextEncoding is >= 1 and <= 3 ? (TextEncoding)RawTextEncoding : TextEncoding.Unknown;
    /// <summary>The user version (nwaku's migration number).</summary>
    public int UserVersion { get; init; }
    /// <summary>Non-zero for incremental vacuum mode.</summary>
    public uint IncrementalVacuum { get; init; }
    /// <summary>Application ID.</summary>
    public int ApplicationId { get; init; }
    /// <summary>True when the 20 reserved-for-expansion bytes are all zero.</summary>
    public bool ExpansionBytesZero { get; init; }
    /// <summary>The change counter value for which <see cref="DatabaseSizeInPages"/> is valid.</summary>
    public uint VersionValidFor { get; init; }
    /// <summary>SQLITE_VERSION_NUMBER of the library that last wrote the file.</summary>
    public uint SqliteVersionNumber { get; init; }

    /// <summary>True when the in-header database size may be trusted (fileformat2 §1.3.7).</summary>
    public bool InHeaderSizeValid => DatabaseSizeInPages != 0 && FileChangeCounter == VersionValidFor;

    /// <summary>True when the database uses auto-vacuum or incremental vacuum (pointer-map pages exist).</summary>
    public bool AutoVacuum => LargestRootPage != 0;

    /// <summary>Usable bytes per page: page size less reserved bytes.</summary>
    public int UsableSize => PageSize - ReservedBytes;

    /// <summary>The WAL mode journal is in use (read/write versions are 2).</summary>
    public bool WalMode => WriteVersion == 2 || ReadVersion == 2;

    /// <summary>Decodes the header from the first 100 bytes of a file. Never throws on data.</summary>
    public static bool TryParse(ReadOnlySpan<byte> source, out DatabaseHeader header)
    {
        if (source.Length < Length)
        {
            header = new DatabaseHeader();
            return false;
        }

        ushort rawPageSize = BinaryPrimitives.ReadUInt16BigEndian(source[16..]);
        int pageSize = rawPageSize == 1 ? 65536 : rawPageSize;
        if (pageSize < 512 || (pageSize & (pageSize - 1)) != 0)
        {
            pageSize = 0;
        }

        header = new DatabaseHeader
        {
            MagicValid = source[..16].SequenceEqual(Magic),
            RawPageSize = rawPageSize,
            PageSize = pageSize,
            WriteVersion = source[18],
            ReadVersion = source[19],
            ReservedBytes = source[20],
            MaxPayloadFraction = source[21],
            MinPayloadFraction = source[22],
            LeafPayloadFraction = source[23],
            FileChangeCounter = BinaryPrimitives.ReadUInt32BigEndian(source[24..]),
            DatabaseSizeInPages = BinaryPrimitives.ReadUInt32BigEndian(source[28..]),
            FirstFreelistTrunkPage = BinaryPrimitives.ReadUInt32BigEndian(source[32..]),
            FreelistPageCount = BinaryPrimitives.ReadUInt32BigEndian(source[36..]),
            SchemaCookie = BinaryPrimitives.ReadUInt32BigEndian(source[40..]),
            SchemaFormat = BinaryPrimitives.ReadUInt32BigEndian(source[44..]),
            DefaultCacheSize = BinaryPrimitives.ReadInt32BigEndian(source[48..]),
            LargestRootPage = BinaryPrimitives.ReadUInt32BigEndian(source[52..]),
            RawTextEncoding = BinaryPrimitives.ReadUInt32BigEndian(source[56..]),
            UserVersion = BinaryPrimitives.ReadInt32BigEndian(source[60..]),
            IncrementalVacuum = BinaryPrimitives.ReadUInt32BigEndian(source[64..]),
            ApplicationId = BinaryPrimitives.ReadInt32BigEndian(source[68..]),
            ExpansionBytesZero = !source[72..92].ContainsAnyExcept((byte)0),
            VersionValidFor = BinaryPrimitives.ReadUInt32BigEndian(source[92..]),
            SqliteVersionNumber = BinaryPrimitives.ReadUInt32BigEndian(source[96..]),
        };
        return true;
    }

    /// <summary>
    /// Checks every field against the file-format spec and, when <paramref name="fileLength"/> is given, against
    /// the file's length (pass null when page 1 was read from a WAL: the file may lag behind it).
    /// </summary>
    public IReadOnlyList<SqliteFinding> Validate(long? fileLength)
    {
        var findings = new List<SqliteFinding>();
        void Add(SqliteFindingKind kind, SqliteFindingSeverity severity, int offset, string message) =>
            findings.Add(new SqliteFinding(kind, severity, 0, offset, message));

        if (!MagicValid)
        {
            Add(SqliteFindingKind.HeaderMagicInvalid, SqliteFindingSeverity.Error, 0, "header magic is not \"SQLite format 3\\0\"");
        }

        if (PageSize == 0)
        {
            Add(SqliteFindingKind.HeaderPageSizeInvalid, SqliteFindingSeverity.Error, 16, $"page size field {RawPageSize} is not a power of two from 512 to 65536");
        }

        if (WriteVersion is not (1 or 2) || ReadVersion is not (1 or 2))
        {
            Add(SqliteFindingKind.HeaderFieldOutOfSpec, SqliteFindingSeverity.Error, 18, $"file format versions write={WriteVersion} read={ReadVersion}, expected 1 or 2");
        }

        if (PageSize != 0 && PageSize - ReservedBytes < 480)
        {
            Add(SqliteFindingKind.HeaderFieldOutOfSpec, SqliteFindingSeverity.Error, 20, $"{ReservedBytes} reserved bytes leave fewer than 480 usable bytes per page");
        }
        else if (ReservedBytes != 0)
        {
            Add(SqliteFindingKind.HeaderFieldOutOfSpec, SqliteFindingSeverity.Info, 20, $"{ReservedBytes} bytes reserved per page (encryption or checksum extension?)");
        }

        if (MaxPayloadFraction != 64 || MinPayloadFraction != 32 || LeafPayloadFraction != 32)
        {
            Add(SqliteFindingKind.HeaderFieldOutOfSpec, SqliteFindingSeverity.Error, 21, $"payload fractions {MaxPayloadFraction}/{MinPayloadFraction}/{LeafPayloadFraction}, expected 64/32/32");
        }

        if (SchemaFormat is < 1 or > 4)
        {
            Add(SqliteFindingKind.HeaderFieldOutOfSpec, SchemaFormat == 0 ? SqliteFindingSeverity.Info : SqliteFindingSeverity.Error, 44, $"schema format {SchemaFormat}, expected 1 to 4 (0 only for an empty database)");
        }

        if (TextEncoding == TextEncoding.Unknown && !(RawTextEncoding == 0 && SchemaFormat == 0))
        {
            Add(SqliteFindingKind.HeaderFieldOutOfSpec, SqliteFindingSeverity.Error, 56, $"text encoding {RawTextEncoding}, expected 1 (UTF-8), 2 (UTF-16le) or 3 (UTF-16be)");
        }

        if (IncrementalVacuum != 0 && LargestRootPage == 0)
        {
            Add(SqliteFindingKind.HeaderFieldOutOfSpec, SqliteFindingSeverity.Warning, 64, "incremental-vacuum flag set without auto-vacuum (largest root page is 0)");
        }

        if (!ExpansionBytesZero)
        {
            Add(SqliteFindingKind.HeaderFieldOutOfSpec, SqliteFindingSeverity.Warning, 72, "reserved-for-expansion bytes 72..91 are not zero");
        }

        if (PageSize != 0 && fileLength is long length)
        {
            if (length % PageSize != 0)
            {
                Add(SqliteFindingKind.FileTruncated, SqliteFindingSeverity.Error, (int)Math.Min(int.MaxValue, length), $"file length {length} is not a multiple of the page size {PageSize}");
            }

            long filePages = length / PageSize;
            if (InHeaderSizeValid && DatabaseSizeInPages > filePages)
            {
                Add(SqliteFindingKind.FileTruncated, SqliteFindingSeverity.Error, 28, $"header says {DatabaseSizeInPages} pages, the file ends after {filePages}: the last {DatabaseSizeInPages - filePages} page(s) are missing");
            }
            else if (InHeaderSizeValid && DatabaseSizeInPages < filePages)
            {
                Add(SqliteFindingKind.HeaderSizeMismatch, SqliteFindingSeverity.Warning, 28, $"header says {DatabaseSizeInPages} pages, file holds {filePages}: pages past the header's count are not part of the database");
            }

            if (FreelistPageCount > filePages)
            {
                Add(SqliteFindingKind.HeaderFieldOutOfSpec, SqliteFindingSeverity.Error, 36, $"freelist count {FreelistPageCount} exceeds the {filePages} pages in the file");
            }

            if (FirstFreelistTrunkPage > filePages && !WalMode)
            {
                Add(SqliteFindingKind.HeaderFieldOutOfSpec, SqliteFindingSeverity.Error, 32, $"first freelist trunk page {FirstFreelistTrunkPage} is past the end of the file ({filePages} pages)");
            }
        }

        return findings;
    }
}
