using Microsoft.Win32.SafeHandles;
using Waku.StoreForensics.Sqlite.Journal;
using Waku.StoreForensics.Sqlite.Wal;

namespace Waku.StoreForensics.Sqlite;

/// <summary>Where the bytes of a page came from.</summary>
/// <param name="WalFrame">Index of the WAL frame read instead of the database file, or -1.</param>
/// <param name="FromJournal">True when the image came from a hot rollback journal.</param>
/// <param name="BytesRead">Bytes really present (less than a page when the file is truncated).</param>
public readonly record struct PageOrigin(int WalFrame, bool FromJournal, int BytesRead);

/// <summary>
/// Reads pages by number from the database file, overlaid with the committed WAL or a hot journal as asked.
/// Positional reads only (no shared stream position), never a write.
/// </summary>
internal sealed class PageSource : IDisposable
{
    private readonly SafeFileHandle _file;
    private readonly Dictionary<uint, JournalPage>? _journalPages;

    public PageSource(SafeFileHandle file, long fileLength, int pageSize, WalFile? wal, RollbackJournal? journal)
    {
        _file = file;
        FileLength = fileLength;
        PageSize = pageSize;
        Wal = wal is { LastCommitFrame: >= 0 } && wal.PageSize == pageSize ? wal : null;
        Journal = journal is { IsHot: true } && journal.PageSize == pageSize ? journal : null;
        if (Journal is not null)
        {
            // The first image of a page in the journal is its content before the transaction.
            _journalPages = new Dictionary<uint, JournalPage>();
            foreach (var page in Journal.Pages)
            {
                _journalPages.TryAdd(page.PageNumber, page);
            }
        }
    }

    public long FileLength { get; }
    public int PageSize { get; }
    public WalFile? Wal { get; }
    public RollbackJournal? Journal { get; }

    /// <summary>Pages physically present in the database file (a partial last page counts).</summary>
    public uint FilePageCount => (uint)Math.Min(uint.MaxValue, (FileLength + PageSize - 1) / PageSize);

    /// <summary>
    /// Reads page <paramref name="pageNumber"/> into <paramref name="destination"/>. Missing bytes (truncated
    /// file) are zero-filled and reported through <see cref="PageOrigin.BytesRead"/>.
    /// </summary>
    public PageOrigin Read(uint pageNumber, Span<byte> destination)
    {
        var page = destination[..PageSize];
        if (pageNumber == 0)
        {
            page.Clear();
            return new PageOrigin(-1, false, 0);
        }

        if (Wal?.FindCommittedFrame(pageNumber) is { } frame)
        {
            Wal.ReadFrame(frame, page);
            return new PageOrigin(frame.Index, false, PageSize);
        }

        if (_journalPages is not null && _journalPages.TryGetValue(pageNumber, out var image))
        {
            Journal!.ReadPage(image, page);
            return new PageOrigin(-1, true, PageSize);
        }

        return new PageOrigin(-1, false, ReadFromFile(pageNumber, page));
    }

    /// <summary>Reads the page as stored in the database file itself, ignoring WAL and journal.</summary>
    public int ReadFromFile(uint pageNumber, Span<byte> destination)
    {
        var page = destination[..PageSize];
        long offset = (long)(pageNumber - 1) * PageSize;
        int read = 0;
        if (pageNumber != 0 && offset < FileLength)
        {
            while (read < PageSize)
            {
                int n = RandomAccess.Read(_file, page[read..], offset + read);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }
        }

        page[read..].Clear();
        return read;
    }

    public void Dispose() => _file.Dispose();
}
