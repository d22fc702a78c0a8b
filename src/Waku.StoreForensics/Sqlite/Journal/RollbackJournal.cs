using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace Waku.StoreForensics.Sqlite.Journal;

/// <summary>One page image saved in a rollback journal before a transaction changed it.</summary>
/// <param name="PageNumber">Database page the image belongs to.</param>
/// <param name="FileOffset">Offset of the page data in the journal file.</param>
/// <param name="ChecksumValid">The record's checksum matches (fileformat2 §3).</param>
public sealed record JournalPage(uint PageNumber, long FileOffset, bool ChecksumValid);

/// <summary>
/// A rollback journal (<c>-journal</c>) opened read-only: header, page images and whether it is hot, i.e.
/// whether SQLite would roll the database back to these images on the next open.
/// </summary>
public sealed class RollbackJournal : IDisposable
{
    private static ReadOnlySpan<byte> Magic => [0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7];

    private readonly SafeFileHandle _handle;
    private readonly List<JournalPage> _pages = new();
    private readonly List<SqliteFinding> _findings = new();

    private RollbackJournal(string path, SafeFileHandle handle)
    {
        Path = path;
        _handle = handle;
    }

    /// <summary>Path of the journal file.</summary>
    public string Path { get; }
    /// <summary>Length of the journal in bytes.</summary>
    public long Length { get; private set; }
    /// <summary>True when the header starts with the journal magic (a zeroed header means the transaction committed).</summary>
    public bool HeaderValid { get; private set; }
    /// <summary>Number of page records the header announces (0xFFFFFFFF: read to the end of the file).</summary>
    public uint RecordCount { get; private set; }
    /// <summary>Random nonce that seeds each record checksum.</summary>
    public uint Nonce { get; private set; }
    /// <summary>Database size in pages before the transaction began.</summary>
    public uint InitialDatabaseSize { get; private set; }
    /// <summary>Disk sector size the header is padded to.</summary>
    public uint SectorSize { get; private set; }
    /// <summary>Page size recorded in the journal.</summary>
    public int PageSize { get; private set; }
    /// <summary>Page images, in journal order.</summary>
    public IReadOnlyList<JournalPage> Pages => _pages;
    /// <summary>True when SQLite would treat the journal as hot and roll the database back.</summary>
    public bool IsHot => HeaderValid && _pages.Count > 0;
    /// <summary>Damage or hot-journal findings.</summary>
    public IReadOnlyList<SqliteFinding> Findings => _findings;

    /// <summary>Opens <paramref name="path"/> read-only. Returns null when the file does not exist.</summary>
    public static RollbackJournal? TryOpen(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var journal = new RollbackJournal(path, handle);
        try
        {
            journal.Index();
        }
        catch
        {
            journal.Dispose();
            throw;
        }

        return journal;
    }

    /// <summary>Reads the page image of <paramref name="page"/> into <paramref name="destination"/>.</summary>
    public void ReadPage(JournalPage page, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(page);
        RandomAccess.Read(_handle, destination[..PageSize], page.FileOffset);
    }

    private void Index()
    {
        Length = RandomAccess.GetLength(_handle);
        Span<byte> header = stackalloc byte[28];
        if (Length < 28 || RandomAccess.Read(_handle, header, 0) < 28)
        {
            return;
        }

        HeaderValid = header[..8].SequenceEqual(Magic);
        if (!HeaderValid)
        {
            // A zeroed or truncated-to-zero header is how SQLite marks a committed transaction.
            if (header[..8].ContainsAnyExcept((byte)0))
            {
                _findings.Add(new SqliteFinding(SqliteFindingKind.JournalInvalid, SqliteFindingSeverity.Warning, 0, 0, "rollback journal header has neither the journal magic nor zeros"));
            }

            return;
        }

        RecordCount = BinaryPrimitives.ReadUInt32BigEndian(header[8..]);
        Nonce = BinaryPrimitives.ReadUInt32BigEndian(header[12..]);
        InitialDatabaseSize = BinaryPrimitives.ReadUInt32BigEndian(header[16..]);
        SectorSize = BinaryPrimitives.ReadUInt32BigEndian(header[20..]);
        uint rawPageSize = BinaryPrimitives.ReadUInt32BigEndian(header[24..]);
        PageSize = (int)Math.Min(rawPageSize, int.MaxValue);
        if (PageSize < 512 || PageSize > 65536 || (PageSize & (PageSize - 1)) != 0 || SectorSize < 32 || SectorSize > 65536)
        {
            _findings.Add(new SqliteFinding(SqliteFindingKind.JournalInvalid, SqliteFindingSeverity.Error, 0, 20, $"journal header has sector size {SectorSize} and page size {rawPageSize}: page records cannot be located"));
            return;
        }

        // The journal is a series of segments, each a sector-aligned header and its page records: SQLite
        // starts a new segment every time it syncs the journal mid-transaction (cache spill).
        int recordSize = 4 + PageSize + 4;
        long segment = 0;
        uint recordCount = RecordCount;
        uint nonce = Nonce;
        byte[] record = new byte[recordSize];
        Span<byte> nextHeader = stackalloc byte[16];
        int segments = 0;
        while (segments++ < 1_000_000)
        {
            long first = segment + SectorSize;
            long available = Math.Max(0, (Length - first) / recordSize);
            long count = recordCount is 0xFFFFFFFF ? available : Math.Min(recordCount, available);
            if (recordCount == 0)
            {
                // An unsynced last segment: its records may exist but are not counted yet.
                count = available;
            }
            else if (recordCount != 0xFFFFFFFF && recordCount > available)
            {
                _findings.Add(new SqliteFinding(SqliteFindingKind.JournalInvalid, SqliteFindingSeverity.Warning, 0, (int)Math.Min(int.MaxValue, segment + 8), $"journal segment announces {recordCount} page records but holds {available}"));
            }

            long i = 0;
            for (; i < count; i++)
            {
                long offset = first + (i * recordSize);
                if (RandomAccess.Read(_handle, record, offset) < recordSize)
                {
                    break;
                }

                uint pgno = BinaryPrimitives.ReadUInt32BigEndian(record);
                uint stored = BinaryPrimitives.ReadUInt32BigEndian(record.AsSpan(4 + PageSize));
                // fileformat2 §3: checksum = nonce + every 200th byte of the page, counting down from pageSize-200.
                uint sum = nonce;
                for (int b = PageSize - 200; b > 0; b -= 200)
                {
                    sum += record[4 + b];
                }

                if (sum != stored || pgno == 0)
                {
                    if (recordCount != 0)
                    {
                        _findings.Add(new SqliteFinding(SqliteFindingKind.JournalInvalid, SqliteFindingSeverity.Warning, 0, (int)Math.Min(int.MaxValue, offset), $"journal record {i} (page {pgno}) fails its checksum; SQLite stops the rollback here"));
                    }

                    break;
                }

                _pages.Add(new JournalPage(pgno, offset + 4, ChecksumValid: true));
            }

            if (i < count || recordCount == 0)
            {
                break;
            }

            long next = first + (count * recordSize);
            next = (next + SectorSize - 1) / SectorSize * SectorSize;
            if (next + 16 > Length || RandomAccess.Read(_handle, nextHeader, next) < 16 || !nextHeader[..8].SequenceEqual(Magic))
            {
                break;
            }

            segment = next;
            recordCount = BinaryPrimitives.ReadUInt32BigEndian(nextHeader[8..]);
            nonce = BinaryPrimitives.ReadUInt32BigEndian(nextHeader[12..]);
        }

        if (IsHot)
        {
            _findings.Add(new SqliteFinding(SqliteFindingKind.HotJournal, SqliteFindingSeverity.Warning, 0, 0,
                $"hot rollback journal with {_pages.Count} page image(s): an interrupted transaction; SQLite would restore these pages and truncate to {InitialDatabaseSize} pages on next open"));
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _handle.Dispose();
}
