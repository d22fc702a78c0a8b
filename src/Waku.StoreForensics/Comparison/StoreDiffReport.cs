using Waku.StoreForensics.Scanning;
using Waku.StoreForensics.Schema;

namespace Waku.StoreForensics.Comparison;

/// <summary>How the rows of two files were matched.</summary>
public enum DiffKey
{
    /// <summary>Same layout: by the layout's primary key, every column compared.</summary>
    PrimaryKey,

    /// <summary>
    /// Different layouts: the rows of the older layout are converted to the newer one as nwaku's migrations would
    /// (<see cref="Recovery.MessageConversion"/>), then matched by the newer layout's primary key.
    /// </summary>
    ConvertedPrimaryKey,
}

/// <summary>What differs about one key.</summary>
public enum RowDifference
{
    /// <summary>The key is only in the left file.</summary>
    OnlyLeft,

    /// <summary>The key is only in the right file.</summary>
    OnlyRight,

    /// <summary>Both files hold the key with other values in <see cref="DifferingRow.Columns"/>.</summary>
    Differing,
}

/// <summary>One key that differs, as listed (the first <see cref="StoreDiffOptions.MaxListed"/> per table).</summary>
/// <param name="Key">The primary key as text (hex for blobs).</param>
/// <param name="Difference">What differs.</param>
/// <param name="Columns">The columns whose values differ (empty unless <see cref="RowDifference.Differing"/>).</param>
public sealed record DifferingRow(string Key, RowDifference Difference, IReadOnlyList<string> Columns);

/// <summary>The comparison of one table.</summary>
public sealed record TableDiff
{
    /// <summary>The table compared (as named in the left file).</summary>
    public required string Table { get; init; }

    /// <summary>Rows read from the left file.</summary>
    public long LeftRows { get; init; }

    /// <summary>Rows read from the right file.</summary>
    public long RightRows { get; init; }

    /// <summary>Keys whose rows are equal in every compared column.</summary>
    public long Same { get; init; }

    /// <summary>Keys only in the left file.</summary>
    public long OnlyLeft { get; init; }

    /// <summary>Keys only in the right file.</summary>
    public long OnlyRight { get; init; }

    /// <summary>Keys in both files with other values.</summary>
    public long Differing { get; init; }

    /// <summary>Rows whose key appeared again in the same file (a damaged b-tree can repeat a cell); not compared.</summary>
    public long RepeatedKeys { get; init; }

    /// <summary>Per column: how many differing keys differ in it.</summary>
    public required IReadOnlyDictionary<string, long> DifferingColumns { get; init; }

    /// <summary>The first differing keys, left-file order then right-file order.</summary>
    public required IReadOnlyList<DifferingRow> Listed { get; init; }

    /// <summary>True when both files hold the same keys with the same values.</summary>
    public bool Identical => OnlyLeft == 0 && OnlyRight == 0 && Differing == 0 && RepeatedKeys == 0;
}

/// <summary>What <see cref="StoreDiff.Compare"/> found.</summary>
public sealed record StoreDiffReport
{
    /// <summary>The left file and its sidecars, with SHA-256 (hashed while they are compared; the files are only read).</summary>
    public required IReadOnlyList<EvidenceFile> Left { get; init; }

    /// <summary>The right file and its sidecars, with SHA-256.</summary>
    public required IReadOnlyList<EvidenceFile> Right { get; init; }

    /// <summary>The left file's Message layout.</summary>
    public required MessageSchemaId LeftLayout { get; init; }

    /// <summary>The right file's Message layout.</summary>
    public required MessageSchemaId RightLayout { get; init; }

    /// <summary>How Message rows were matched.</summary>
    public required DiffKey ComparedBy { get; init; }

    /// <summary>The Message tables.</summary>
    public required TableDiff Messages { get; init; }

    /// <summary>The Peer tables, when both files have one of the same layout; else null (see <see cref="PeersNotCompared"/>).</summary>
    public TableDiff? Peers { get; init; }

    /// <summary>
    /// Why the Peer tables were not compared: <c>none_in_either</c>, <c>only_left</c>, <c>only_right</c> (v0.13+ keep
    /// peers in <c>peers.db</c>, so a layout conversion moves them out) or <c>layouts_differ</c>; null when they were.
    /// <see cref="Identical"/> speaks of the tables compared.
    /// </summary>
    public string? PeersNotCompared { get; init; }

    /// <summary>Error findings our reader met in the left file (damage: rows behind it were not read).</summary>
    public int LeftReadErrors { get; init; }

    /// <summary>Error findings our reader met in the right file.</summary>
    public int RightReadErrors { get; init; }

    /// <summary>True when both tables are identical and neither file had read errors.</summary>
    public bool Identical => Messages.Identical && (Peers?.Identical ?? true) && LeftReadErrors == 0 && RightReadErrors == 0;

    /// <summary>Seconds taken.</summary>
    public double Seconds { get; init; }
}

/// <summary>Options of <see cref="StoreDiff.Compare"/>.</summary>
public sealed record StoreDiffOptions
{
    /// <summary>Differing keys listed per table (all are counted).</summary>
    public int MaxListed { get; init; } = 20;

    /// <summary>Read each file as of its last committed <c>-wal</c> frame (true), or the main file alone.</summary>
    public bool ApplyWal { get; init; } = true;
}
