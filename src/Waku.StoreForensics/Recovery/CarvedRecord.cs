namespace Waku.StoreForensics.Recovery;

/// <summary>Where a carved record was found.</summary>
public enum CarveSource
{
    /// <summary>A cell of a b-tree page that the live tree reaches.</summary>
    LiveCell,
    /// <summary>A cell of a b-tree page no tree reaches (its parent is damaged or gone).</summary>
    OrphanCell,
    /// <summary>A cell of a page on the freelist (deleted data, page not yet reused).</summary>
    FreelistCell,
    /// <summary>A deleted cell inside a freeblock of a b-tree page.</summary>
    Freeblock,
    /// <summary>A cell of an older copy of a page that a committed WAL frame replaced.</summary>
    SupersededCell,
    /// <summary>A cell left in the unallocated gap of a page, a freelist trunk or the unused tail of an overflow page.</summary>
    Unallocated,
    /// <summary>A cell in a page whose b-tree header is destroyed (zeroed or overwritten), not on the freelist.</summary>
    DamagedPage,
    /// <summary>A cell of a page image held in a WAL frame.</summary>
    WalFrame,
    /// <summary>A cell of a page image held in a hot rollback journal.</summary>
    JournalImage,
}

/// <summary>One record carved out of the file, with its provenance. Values are in stored order.</summary>
/// <param name="Source">Where it was found.</param>
/// <param name="Page">Page number (of the database, for WAL and journal images too).</param>
/// <param name="Offset">Offset of the cell within the page image.</param>
/// <param name="WalFrame">WAL frame index, or -1.</param>
/// <param name="WalCommitted">For WAL frames: the frame is at or before the last valid commit.</param>
/// <param name="Values">Decoded values in stored order.</param>
/// <param name="SerialTypes">Serial types of the values.</param>
/// <param name="Shape">The shape the record was matched to, when carved from free space; null for intact cells.</param>
/// <param name="HeaderRebuilt">True when the leading header bytes were overwritten and rebuilt from the shape.</param>
public sealed record CarvedRecord(
    CarveSource Source,
    uint Page,
    int Offset,
    int WalFrame,
    bool WalCommitted,
    object?[] Values,
    long[] SerialTypes,
    ICarveShape? Shape,
    bool HeaderRebuilt);
