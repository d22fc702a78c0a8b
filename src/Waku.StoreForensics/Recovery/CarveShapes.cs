using Waku.StoreForensics.Schema;

namespace Waku.StoreForensics.Recovery;

/// <summary>Carve shapes for nwaku tables, from the schema catalog's record shapes.</summary>
public static class CarveShapes
{
    /// <summary>
    /// One carve shape per record length of the table b-tree of <paramref name="table"/> (S9 rows written before
    /// 00009 have one field less). Leading 32-byte key columns have a fixed serial type (76), which lets the
    /// carver rebuild a header whose first bytes a freeblock overwrote.
    /// </summary>
    public static IReadOnlyList<ICarveShape> For(TableSchema table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var shape = RecordShapeDetector.AllShapes.First(s => s.Table == table && s.IndexName is null);
        return Enumerable.Range(shape.MinimumLength, shape.Columns.Count - shape.MinimumLength + 1)
            .Select(length => (ICarveShape)new NwakuCarveShape(shape, length))
            .ToArray();
    }

    private sealed class NwakuCarveShape(RecordShape shape, int length) : ICarveShape
    {
        public string Name => shape.Table.TableName;

        public int FieldCount => length;

        public bool Accepts(ReadOnlySpan<long> serialTypes) => serialTypes.Length == length && RecordShapeDetector.Fits(shape, serialTypes);

        public bool AcceptsField(int field, long serialType) => RecordShapeDetector.FitsColumn(shape.Columns[field], serialType);

        // A SHA-256 key is a 32-byte blob: serial type 12 + 2 × 32.
        public long? FixedSerialType(int field) =>
            shape.Columns[field].Role is ColumnRole.MessageHash or ColumnRole.MessageDigest && shape.Columns[field].PrimaryKeyOrdinal > 0 ? 76 : null;
    }
}
