using Waku.StoreForensics.Sqlite;

namespace Waku.StoreForensics.Schema;

/// <summary>Recognises the nwaku layouts of a file from the records on its pages, for when the schema table is lost.</summary>
public static class LayoutFromPages
{
    /// <summary>Pages sampled: enough to recognise a layout, and it bounds the time spent on huge files.</summary>
    public const uint SampledPages = 20_000;

    /// <summary>
    /// Votes over the record headers of every index-leaf cell on the first <see cref="SampledPages"/> pages of the
    /// file (WITHOUT ROWID tables are index b-trees). The best table shape of each kind wins, with its vote.
    /// </summary>
    public static (RecordShapeVote? Message, RecordShapeVote? Peer, int Records) Detect(SqliteDatabase db)
    {
        ArgumentNullException.ThrowIfNull(db);
        var records = new List<long[]>();
        var types = new List<long>();
        var image = new byte[db.PageSize];
        for (uint page = 1; page <= Math.Min(db.FilePageCount, SampledPages); page++)
        {
            db.ReadPage(page, image);
            if (BTreePage.TryDecode(image, page, db.UsableSize) is not { Type: BTreePageType.LeafIndex } decoded)
            {
                continue;
            }

            foreach (var cell in decoded.Cells)
            {
                if (RecordDecoder.TryReadHeader(image.AsSpan(cell.LocalPayloadOffset, cell.LocalPayloadSize), cell.PayloadSize, types, out _, out _))
                {
                    records.Add(types.ToArray());
                }
            }
        }

        var tables = RecordShapeDetector.Vote(records).Where(v => v.Shape.IndexName is null).ToList();
        return (tables.FirstOrDefault(v => v.Shape.Table is MessageTableSchema), tables.FirstOrDefault(v => v.Shape.Table is PeerTableSchema), records.Count);
    }
}
