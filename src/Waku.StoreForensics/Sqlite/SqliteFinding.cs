namespace Waku.StoreForensics.Sqlite;

/// <summary>What kind of damage or oddity the file-format reader met.</summary>
public enum SqliteFindingKind
{
    /// <summary>The 16-byte magic string is not "SQLite format 3\0".</summary>
    HeaderMagicInvalid,
    /// <summary>The page size in the header is not a power of two between 512 and 65536.</summary>
    HeaderPageSizeInvalid,
    /// <summary>A header field holds a value the file format does not allow.</summary>
    HeaderFieldOutOfSpec,
    /// <summary>The in-header database size disagrees with the file size.</summary>
    HeaderSizeMismatch,
    /// <summary>The file ends before a page it should hold, or is not a whole number of pages.</summary>
    FileTruncated,
    /// <summary>A page reached from a b-tree does not start with a valid b-tree page type.</summary>
    PageTypeInvalid,
    /// <summary>A page number points outside the database.</summary>
    PageNumberOutOfRange,
    /// <summary>A b-tree page is reached twice: the tree has a loop or two parents share a child.</summary>
    BTreeCycle,
    /// <summary>A b-tree is deeper than any real database could make it.</summary>
    BTreeTooDeep,
    /// <summary>The cell count cannot fit in the page.</summary>
    CellCountAbsurd,
    /// <summary>A cell pointer or cell body lies outside the cell content area.</summary>
    CellOutOfBounds,
    /// <summary>The freeblock chain of a page is out of order, overlapping or past the page end.</summary>
    FreeblockChainInvalid,
    /// <summary>Free space on a page does not add up (fragmented byte count or content start).</summary>
    PageSpaceInconsistent,
    /// <summary>An overflow chain revisits a page.</summary>
    OverflowChainCycle,
    /// <summary>An overflow chain ends early, or points outside the file.</summary>
    OverflowChainBroken,
    /// <summary>A payload size is larger than the file could hold.</summary>
    PayloadSizeImplausible,
    /// <summary>A record header or body does not decode.</summary>
    RecordInvalid,
    /// <summary>Keys on a b-tree page are out of order.</summary>
    KeyOrderViolation,
    /// <summary>The freelist chain loops, points outside the file or lists an absurd leaf count.</summary>
    FreelistInvalid,
    /// <summary>The number of freelist pages found differs from the header's count.</summary>
    FreelistCountMismatch,
    /// <summary>A pointer-map entry disagrees with what the page really is.</summary>
    PointerMapMismatch,
    /// <summary>A page is reached by nothing: not a b-tree, overflow, freelist, pointer-map or lock-byte page.</summary>
    OrphanPage,
    /// <summary>A page is claimed by two owners (e.g. a b-tree and the freelist).</summary>
    PageClaimedTwice,
    /// <summary>The schema table cannot be read or a row of it does not parse.</summary>
    SchemaInvalid,
    /// <summary>The WAL header is damaged: magic, version, page size or checksum.</summary>
    WalHeaderInvalid,
    /// <summary>WAL frames after the last valid commit (torn tail, stale salts or bad checksum).</summary>
    WalFramesInvalid,
    /// <summary>A rollback journal holds page images SQLite would roll back on next open.</summary>
    HotJournal,
    /// <summary>The rollback journal header or a page record is damaged.</summary>
    JournalInvalid,
}

/// <summary>How much a finding matters to whoever relies on the file.</summary>
public enum SqliteFindingSeverity
{
    /// <summary>Worth knowing; no data is at risk.</summary>
    Info,
    /// <summary>Out of spec, but the data can still be read.</summary>
    Warning,
    /// <summary>Data is damaged or unreachable.</summary>
    Error,
}

/// <summary>
/// One piece of damage found by the reader: damage is data, not an exception. <see cref="Page"/> and
/// <see cref="Offset"/> locate it (offset within the page, or within the file when <see cref="Page"/> is 0).
/// </summary>
public sealed record SqliteFinding(
    SqliteFindingKind Kind,
    SqliteFindingSeverity Severity,
    uint Page,
    int Offset,
    string Message)
{
    /// <inheritdoc/>
    public override string ToString() =>
        Page == 0 ? $"{Severity} {Kind} @file+{Offset}: {Message}" : $"{Severity} {Kind} @page {Page}+{Offset}: {Message}";
}
