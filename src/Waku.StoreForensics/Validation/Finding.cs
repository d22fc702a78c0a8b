namespace Waku.StoreForensics.Validation;

/// <summary>How bad a finding is.</summary>
public enum Severity
{
    /// <summary>Worth knowing; nothing is wrong with the data.</summary>
    Info = 0,

    /// <summary>Unusual; nwaku could have written it, or it only limits what can be checked.</summary>
    Warning = 1,

    /// <summary>Damage or an inconsistency nwaku cannot have produced, or one that makes nwaku fail.</summary>
    Error = 2,
}

/// <summary>
/// Where a finding was made. Every part is optional so that a page reader (page, offset), a SQL-level
/// check (table, key) and a row validator (table, key, column) can all say what they know.
/// </summary>
/// <param name="Page">1-based SQLite page number.</param>
/// <param name="Offset">Byte offset, within the page when <paramref name="Page"/> is set, else within the file.</param>
/// <param name="Table">Table or index name.</param>
/// <param name="Key">The row's primary key, hex for blobs and decimal for integers, parts joined by '|'.</param>
/// <param name="Column">Column name the finding is about.</param>
public sealed record Location(long? Page = null, long? Offset = null, string? Table = null, string? Key = null, string? Column = null)
{
    /// <summary>A location that says nothing.</summary>
    public static Location Unknown { get; } = new();

    /// <inheritdoc />
    public override string ToString()
    {
        var parts = new List<string>(5);
        if (Page is { } page)
        {
            parts.Add($"page {page}");
        }

        if (Offset is { } offset)
        {
            parts.Add($"offset {offset}");
        }

        if (Table is not null)
        {
            parts.Add($"table {Table}");
        }

        if (Key is not null)
        {
            parts.Add($"key {Key}");
        }

        if (Column is not null)
        {
            parts.Add($"column {Column}");
        }

        return parts.Count == 0 ? "unknown location" : string.Join(", ", parts);
    }
}

/// <summary>One thing found wrong (or worth knowing) in a store.</summary>
/// <param name="Severity">How bad it is.</param>
/// <param name="Kind">What kind of problem it is.</param>
/// <param name="Location">Where it is.</param>
/// <param name="Evidence">The observed values, short and literal (e.g. "expected 32 bytes, found 31").</param>
/// <param name="Explanation">One line a person understands: what it means and why it matters.</param>
public sealed record Finding(Severity Severity, FindingKind Kind, Location Location, string Evidence, string Explanation)
{
    /// <inheritdoc />
    public override string ToString() => $"{Severity} {Kind} at {Location}: {Explanation} ({Evidence})";
}
