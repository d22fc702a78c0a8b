using System.Buffers;
using Waku.StoreForensics.Sqlite;

namespace Waku.StoreForensics.Recovery;

/// <summary>Which parts of a page image to carve.</summary>
[Flags]
public enum CarveParts
{
    /// <summary>The cells a page's header lists (and every byte of a page whose header is destroyed).</summary>
    Cells = 1,
    /// <summary>Freeblocks, the unallocated gap, freelist trunks and overflow tails: where deleted cells linger.</summary>
    FreeSpace = 2,
    /// <summary>Both.</summary>
    All = Cells | FreeSpace,
}

/// <summary>
/// Carves records out of every place a SQLite file can still hold them: cells of reached, orphaned, freelist
/// and superseded pages, freeblocks and unallocated space (deleted cells whose first four bytes a freeblock
/// header overwrote, rebuilt from the table's shape), every WAL frame and every hot-journal image.
/// Candidates are not trusted: the caller validates each one (for nwaku, by recomputing its key).
/// </summary>
public sealed class RecordCarver
{
    private readonly SqliteDatabase _db;
    private readonly IReadOnlyList<ICarveShape> _shapes;
    private readonly List<long> _serialTypes = new();
    private byte[] _payload;
    private byte[] _overflow;

    /// <summary>Creates a carver for <paramref name="database"/> looking for records of the given shapes in free space.</summary>
    public RecordCarver(SqliteDatabase database, IReadOnlyList<ICarveShape> shapes)
    {
        _db = database ?? throw new ArgumentNullException(nameof(database));
        _shapes = shapes ?? throw new ArgumentNullException(nameof(shapes));
        _payload = new byte[database.PageSize];
        _overflow = new byte[database.PageSize];
    }

    /// <summary>Carves every source: file pages, then WAL frames, then journal images. Lazily yields candidates.</summary>
    public IEnumerable<CarvedRecord> Carve(CancellationToken cancellationToken = default)
    {
        var map = _db.MapPages();
        var pages = Enumerable.Range(1, (int)_db.FilePageCount).Select(p => (uint)p);
        return CarveFilePages(map, pages, CarveParts.All, cancellationToken)
            .Concat(CarveWalFrames(_db.Wal?.Frames ?? [], CarveParts.All, cancellationToken))
            .Concat(CarveJournal(cancellationToken));
    }

    /// <summary>
    /// Carves the database file's own copy of <paramref name="pages"/> (ignoring the WAL). <paramref name="map"/>
    /// (from <see cref="SqliteDatabase.MapPages"/>) tells each page's kind, hence the source of its cells.
    /// </summary>
    public IEnumerable<CarvedRecord> CarveFilePages(IReadOnlyList<PageInfo> map, IEnumerable<uint> pages, CarveParts parts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(pages);
        var image = new byte[_db.PageSize];
        foreach (uint page in pages)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var info = page <= map.Count ? map[(int)page - 1] : null;
            var kind = info?.Kind ?? PageKind.Orphan;
            if (kind is PageKind.PointerMap or PageKind.LockByte or PageKind.Missing || page > _db.FilePageCount)
            {
                continue;
            }

            _db.ReadPageFromFile(page, image);
            if (kind == PageKind.Overflow)
            {
                // The last page of a chain holds the payload's tail; what follows is whatever the page held before.
                if ((parts & CarveParts.FreeSpace) != 0)
                {
                    var stale = new List<CarvedRecord>();
                    ScanFreeSpace(image, page, _db.UsableSize - info!.FreeBytes, _db.UsableSize, CarveSource.Unallocated, -1, false, stale);
                    foreach (var record in stale)
                    {
                        yield return record;
                    }
                }

                continue;
            }

            var cellSource = kind switch
            {
                PageKind.Orphan => CarveSource.OrphanCell,
                PageKind.FreelistLeaf or PageKind.FreelistTrunk => CarveSource.FreelistCell,
                _ => CarveSource.LiveCell,
            };
            // With a WAL, the file's copy of a page the WAL replaced is an older version of it.
            if (_db.Wal?.FindCommittedFrame(page) is not null)
            {
                cellSource = CarveSource.SupersededCell;
            }

            foreach (var record in CarveImage(image, page, cellSource, kind == PageKind.FreelistTrunk, -1, false, parts))
            {
                yield return record;
            }
        }
    }

    /// <summary>Carves the page images held in <paramref name="frames"/>.</summary>
    public IEnumerable<CarvedRecord> CarveWalFrames(IEnumerable<Sqlite.Wal.WalFrame> frames, CarveParts parts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(frames);
        var image = new byte[_db.PageSize];
        foreach (var frame in frames)
        {
            cancellationToken.ThrowIfCancellationRequested();
            _db.Wal!.ReadFrame(frame, image);
            foreach (var record in CarveImage(image, frame.PageNumber, CarveSource.WalFrame, false, frame.Index, frame.Committed, parts))
            {
                yield return record;
            }
        }
    }

    /// <summary>Carves the page images of a hot rollback journal.</summary>
    public IEnumerable<CarvedRecord> CarveJournal(CancellationToken cancellationToken = default)
    {
        var image = new byte[_db.PageSize];
        foreach (var page in _db.Journal?.Pages ?? [])
        {
            cancellationToken.ThrowIfCancellationRequested();
            _db.Journal!.ReadPage(page, image);
            foreach (var record in CarveImage(image, page.PageNumber, CarveSource.JournalImage, false, -1, false, CarveParts.All))
            {
                yield return record;
            }
        }
    }

    /// <summary>Carves one page image: its cells, then its free space.</summary>
    private List<CarvedRecord> CarveImage(byte[] image, uint pageNumber, CarveSource cellSource, bool freelistTrunk, int walFrame, bool committed, CarveParts parts)
    {
        var results = new List<CarvedRecord>();
        int usable = _db.UsableSize;
        var page = freelistTrunk ? null : BTreePage.TryDecode(image.AsSpan(0, _db.PageSize), pageNumber, usable);
        if (page is null)
        {
            // No b-tree header (zeroed, overwritten, freelist trunk): every byte may hold an old cell.
            var source = freelistTrunk ? CarveSource.Unallocated : cellSource switch
            {
                CarveSource.FreelistCell => CarveSource.Unallocated,
                CarveSource.LiveCell or CarveSource.OrphanCell => CarveSource.DamagedPage,
                _ => cellSource,
            };
            if ((parts & (source == CarveSource.DamagedPage ? CarveParts.Cells : CarveParts.FreeSpace)) != 0)
            {
                ScanFreeSpace(image, pageNumber, freelistTrunk ? 8 : 0, usable, source, walFrame, committed, results);
            }

            return results;
        }

        if ((parts & CarveParts.Cells) != 0 && page.Type is BTreePageType.LeafIndex or BTreePageType.LeafTable or BTreePageType.InteriorIndex)
        {
            foreach (var cell in page.Cells)
            {
                bool complete = _db.AssemblePayload(image.AsSpan(0, _db.PageSize), pageNumber, cell, ref _payload, ref _overflow, observer: null, report: false, out int length);
                if (complete && RecordDecoder.TryDecode(_payload.AsSpan(0, length), _db.Encoding, _serialTypes, out var values, out _))
                {
                    results.Add(new CarvedRecord(cellSource, pageNumber, cell.Offset, walFrame, committed, values, _serialTypes.ToArray(), null, false));
                }
            }
        }

        if ((parts & CarveParts.FreeSpace) == 0)
        {
            return results;
        }

        foreach (var block in page.Freeblocks)
        {
            ScanFreeSpace(image, pageNumber, block.Offset, block.Offset + block.Size, CarveSource.Freeblock, walFrame, committed, results);
        }

        int gapStart = page.HeaderOffset + (page.IsLeaf ? 8 : 12) + (2 * page.CellPointers.Count);
        ScanFreeSpace(image, pageNumber, gapStart, Math.Min(page.CellContentStart, usable), CarveSource.Unallocated, walFrame, committed, results);
        return results;
    }

    /// <summary>Tries every offset of [start, end) as the start of a deleted WITHOUT ROWID (index b-tree) cell.</summary>
    private void ScanFreeSpace(byte[] image, uint pageNumber, int start, int end, CarveSource source, int walFrame, bool committed, List<CarvedRecord> results)
    {
        if (_shapes.Count == 0)
        {
            return;
        }

        // Every offset is tried, even inside a cell just carved: old cells overlap when a page was rewritten, and
        // a candidate is only proven later (by its key), so skipping past an unproven one could hide a real row.
        for (int c = Math.Max(start, 0); c + 6 < end; c++)
        {
            TryCarveAt(image, pageNumber, c, end, source, walFrame, committed, results);
        }
    }

    /// <summary>Returns the bytes of the cell carved at <paramref name="c"/>, or 0 when none fits there.</summary>
    private int TryCarveAt(byte[] image, uint pageNumber, int c, int end, CarveSource source, int walFrame, bool committed, List<CarvedRecord> results)
    {
        foreach (var shape in _shapes)
        {
            // An intact cell (in unallocated space), then cells whose first four bytes a freeblock header overwrote.
            int size = TryCell(image, pageNumber, c, end, shape, lostPrefix: false, 0, source, walFrame, committed, results);
            for (int pv = 1; size == 0 && pv <= 3; pv++)
            {
                size = TryCell(image, pageNumber, c, end, shape, lostPrefix: true, pv, source, walFrame, committed, results);
            }

            if (size > 0)
            {
                return size;
            }
        }

        return 0;
    }

    private int TryCell(byte[] image, uint pageNumber, int c, int end, ICarveShape shape, bool lostPrefix, int assumedPayloadVarint, CarveSource source, int walFrame, bool committed, List<CarvedRecord> results)
    {
        var span = image.AsSpan(0, _db.UsableSize);
        Span<long> types = stackalloc long[Math.Min(shape.FieldCount, 64)];
        if (shape.FieldCount > 64)
        {
            return 0;
        }

        int pv;
        int typeStart;
        int field = 0;
        long declaredPayload = -1;
        long declaredHeader = -1;
        if (!lostPrefix)
        {
            if (!Varint.TryRead(span[c..], out declaredPayload, out pv) || declaredPayload <= 0 ||
                !Varint.TryRead(span[(c + pv)..], out declaredHeader, out int hv) || declaredHeader <= hv || declaredHeader > 10 * shape.FieldCount)
            {
                return 0;
            }

            typeStart = c + pv + hv;
        }
        else
        {
            // Lost: the payload-size varint (pv bytes), the 1-byte header size, and leading serial types filling
            // the rest of the four bytes. Those types are rebuilt from the shape where they never vary.
            pv = assumedPayloadVarint;
            int lostTypeBytes = 4 - pv - 1;
            while (lostTypeBytes > 0 && field < shape.FieldCount && shape.FixedSerialType(field) is long fixedType)
            {
                types[field++] = fixedType;
                lostTypeBytes -= Varint.GetLength(fixedType);
            }

            if (lostTypeBytes != 0)
            {
                return 0;
            }

            typeStart = c + 4;
        }

        int pos = typeStart;
        for (; field < shape.FieldCount; field++)
        {
            if (pos >= end || !Varint.TryRead(span[pos..end], out long type, out int used) || RecordDecoder.ContentSize(type) < 0)
            {
                return 0;
            }

            types[field] = type;
            pos += used;
        }

        if (!shape.Accepts(types))
        {
            return 0;
        }

        int header = 0;
        long body = 0;
        foreach (long type in types)
        {
            header += Varint.GetLength(type);
            body += RecordDecoder.ContentSize(type);
        }

        header += Varint.GetLength(header + 1);
        long payload = header + body;
        if (lostPrefix ? Varint.GetLength(payload) != pv : payload != declaredPayload || header != declaredHeader)
        {
            return 0;
        }

        int local = CellDecoder.LocalPayloadSize(payload, _db.UsableSize, tableLeaf: false);
        bool spills = local < payload;
        int cellEnd = c + pv + local + (spills ? 4 : 0);
        if (cellEnd > end && !(source == CarveSource.Freeblock && cellEnd <= _db.UsableSize))
        {
            return 0;
        }

        uint firstOverflow = spills ? System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(span[(c + pv + local)..]) : 0;
        var cell = new BTreeCell(c, cellEnd - c, 0, 0, payload, c + pv, local, firstOverflow);
        if (!_db.AssemblePayload(span, pageNumber, cell, ref _payload, ref _overflow, observer: null, report: false, out int length))
        {
            return 0;
        }

        if (lostPrefix)
        {
            // Put back the header the freeblock overwrote: its size, then every serial type.
            int w = Varint.Write(_payload, header);
            foreach (long type in types)
            {
                w += Varint.Write(_payload.AsSpan(w), type);
            }
        }

        if (!RecordDecoder.TryDecode(_payload.AsSpan(0, length), _db.Encoding, _serialTypes, out var values, out _))
        {
            return 0;
        }

        results.Add(new CarvedRecord(source, pageNumber, c, walFrame, committed, values, _serialTypes.ToArray(), shape, lostPrefix));
        return cellEnd - c;
    }
}
