namespace Waku.StoreForensics.Recovery;

/// <summary>
/// What a record of one table looks like, as the carver needs it: the number of stored fields, which serial
/// types each accepts, and the serial type of leading fields whose type never varies (used to rebuild the
/// header bytes a freeblock header overwrote).
/// </summary>
public interface ICarveShape
{
    /// <summary>Name of the table (or index) the shape describes.</summary>
    string Name { get; }

    /// <summary>Number of fields in a stored record (primary key first for WITHOUT ROWID tables).</summary>
    int FieldCount { get; }

    /// <summary>True when a stored record with these serial types could belong to the table.</summary>
    bool Accepts(ReadOnlySpan<long> serialTypes);

    /// <summary>True when field <paramref name="field"/> may have <paramref name="serialType"/>: lets the carver give up early.</summary>
    bool AcceptsField(int field, long serialType);

    /// <summary>The one serial type field <paramref name="field"/> always has, or null when it varies.</summary>
    long? FixedSerialType(int field);
}
