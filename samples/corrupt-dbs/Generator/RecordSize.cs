using Waku.StoreForensics.Schema;

namespace Waku.StoreForensics.SampleGenerator;

/// <summary>
/// Size of the SQLite record a row becomes, to tell which rows spill onto overflow pages (fileformat2 §2.1
/// record format, §1.6 overflow thresholds).
/// </summary>
internal static class RecordSize
{
    /// <summary>
    /// Largest record kept whole on a WITHOUT ROWID (index b-tree format) leaf of a 4096-byte page:
    /// X = ((U − 12) × 64 / 255) − 23 = 1002 (fileformat2 §1.6). Rowid tables would keep up to U − 35 = 4061.
    /// </summary>
    public const int MaxLocalWithoutRowid4K = ((4096 - 12) * 64 / 255) - 23;

    public static long Of(TableSchema schema, object?[] declaredRow)
    {
        long header = 0, body = 0;
        foreach (int i in schema.RecordOrder)
        {
            (long serialType, long size) = declaredRow[i] switch
            {
                null => (0L, 0L),
                long l => IntegerSerialType(l),
                double => (7L, 8L),
                byte[] b => (12 + (2L * b.Length), b.Length),
                string s => (13 + (2L * System.Text.Encoding.UTF8.GetByteCount(s)), System.Text.Encoding.UTF8.GetByteCount(s)),
                _ => throw new ArgumentException("unsupported value", nameof(declaredRow)),
            };
            header += VarintLength(serialType);
            body += size;
        }

        long headerWithSize = header + VarintLength(header + 1);
        return headerWithSize + body;
    }

    private static (long SerialType, long Size) IntegerSerialType(long value) => value switch
    {
        0 => (8, 0),
        1 => (9, 0),
        >= sbyte.MinValue and <= sbyte.MaxValue => (1, 1),
        >= short.MinValue and <= short.MaxValue => (2, 2),
        >= -8_388_608 and <= 8_388_607 => (3, 3),
        >= int.MinValue and <= int.MaxValue => (4, 4),
        >= -140_737_488_355_328 and <= 140_737_488_355_327 => (5, 6),
        _ => (6, 8),
    };

    private static int VarintLength(long value)
    {
        ulong v = (ulong)value;
        int length = 1;
        while (v > 0x7F && length < 9)
        {
            v >>= 7;
            length++;
        }

        return length;
    }
}
