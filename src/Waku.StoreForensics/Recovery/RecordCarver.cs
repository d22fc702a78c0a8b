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
    /// <summary>
    /// Every byte after the cell pointer array, as if the page had no header: finds cells a damaged pointer, count
    /// or content-start field hides (reported as <see cref="CarveSource.DamagedPage"/>).
    /// </summary>
    WholePage = 4,
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
    private readonly ShapePlan[] _plans;
    private readonly long[] _types;

    /// <summary>
    /// An offset whose next this-many bytes are all zero starts no candidate (0: zeros may fit a shape, never skip).
    /// As an intact cell it would declare a zero payload size; as a cell whose first four bytes a freeblock
    /// overwrote, every serial type read after them is 0 (NULL), which some field of every shape rejects.
    /// Free space of a page written once is mostly zeros, so the per-byte scan skips most of it.
    /// </summary>
    private readonly int _zeroWindow;
    private readonly List<long> _serialTypes = new();
    private byte[] _payload;
    private byte[] _overflow;

    /// <summary>Creates a carver for <paramref name="database"/> looking for records of the given shapes in free space.</summary>
    public RecordCarver(SqliteDatabase database, IReadOnlyList<ICarveShape> shapes)
    {
        _db = database ?? throw new ArgumentNullException(nameof(database));
        ArgumentNullException.ThrowIfNull(shapes);
        _plans = shapes.Select(shape => new ShapePlan(shape)).ToArray();
        _types = new long[_plans.Length == 0 ? 0 : _plans.Max(p => p.FieldCount)];
        _zeroWindow = _plans.All(p => p.ZeroesNeverFit) ? 4 + _types.Length : 0;
        _payload = new byte[database.PageSize];
        _overflow = new byte[database.PageSize];
    }

    /// <summary>Carves every source: file pages, then WAL frames, then journal images. Lazily yields candidates.</summary>
    public IEnumerable<CarvedRecord> Carve(CancellationToken cancellationToken = default)
    {
        var map = _db.MapPages(cancellationToken: cancellationToken);
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

            if (kind == PageKind.Overflow)
            {
                // The last page of a chain holds the payload's tail; what follows is whatever the page held before.
                // Every other page of a chain is full: too little room for a cell, so it is not even read.
                int staleStart = _db.UsableSize - info!.FreeBytes;
                if ((parts & CarveParts.FreeSpace) != 0 && HasRoomForCell(staleStart, _db.UsableSize))
                {
                    _db.ReadPageFromFile(page, image);
                    var stale = new List<CarvedRecord>();
                    ScanFreeSpace(image, page, staleStart, _db.UsableSize, CarveSource.Unallocated, -1, false, stale);
                    foreach (var record in stale)
                    {
                        yield return record;
                    }
                }

                continue;
            }

            _db.ReadPageFromFile(page, image);
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
                bool complete = _db.AssemblePayload(image.AsSpan(0, _db.PageSize), pageNumber, cell, ref _payload, ref _overflow, observer: null, report: false, out int length, walFrame);
                if (complete && RecordDecoder.TryDecode(_payload.AsSpan(0, length), _db.Encoding, _serialTypes, out var values, out _))
                {
                    results.Add(new CarvedRecord(cellSource, pageNumber, cell.Offset, walFrame, committed, values, _serialTypes.ToArray(), null, false));
                }
            }
        }

        if ((parts & CarveParts.WholePage) != 0)
        {
            int pointersEnd = page.HeaderOffset + (page.IsLeaf ? 8 : 12) + (2 * page.CellPointers.Count);
            ScanFreeSpace(image, pageNumber, Math.Min(pointersEnd, usable), usable, CarveSource.DamagedPage, walFrame, committed, results);
        }

        if ((parts & CarveParts.FreeSpace) == 0)
        {
            return results;
        }

        foreach (var block in page.Freeblocks)
        {
            TryFreeblockHead(image, pageNumber, block.Offset, block.Size, CarveSource.Freeblock, walFrame, committed, results);
            ScanFreeSpace(image, pageNumber, block.Offset, block.Offset + block.Size, CarveSource.Freeblock, walFrame, committed, results);
        }

        int gapStart = page.HeaderOffset + (page.IsLeaf ? 8 : 12) + (2 * page.CellPointers.Count);
        ScanFreeSpace(image, pageNumber, gapStart, Math.Min(page.CellContentStart, usable), CarveSource.Unallocated, walFrame, committed, results);
        return results;
    }

    /// <summary>Tries every offset of [start, end) as the start of a deleted WITHOUT ROWID (index b-tree) cell.</summary>
    private void ScanFreeSpace(byte[] image, uint pageNumber, int start, int end, CarveSource source, int walFrame, bool committed, List<CarvedRecord> results)
    {
        if (_plans.Length == 0)
        {
            return;
        }

        // Every offset is tried, even inside a cell just carved: old cells overlap when a page was rewritten, and
        // a candidate is only proven later (by its key), so skipping past an unproven one could hide a real row.
        // Only offsets inside runs of zeros are skipped, where no cell can start (see _zeroWindow).
        for (int c = Math.Max(start, 0); HasRoomForCell(c, end); c++)
        {
            if (image[c] == 0 && _zeroWindow > 0)
            {
                int zeros = image.AsSpan(c, end - c).IndexOfAnyExcept((byte)0);
                // Zeros up to the end: no offset left can start a cell. Else skip the offsets whose whole window is zeros.
                int barren = zeros < 0 ? end - c : zeros - _zeroWindow + 1;
                if (barren > 0)
                {
                    c += barren - 1;
                    continue;
                }
            }

            TryCarveAt(image, pageNumber, c, end, source, walFrame, committed, results);
        }
    }

    /// <summary>The per-byte scan tries offset <paramref name="c"/> only when seven bytes remain before <paramref name="end"/>.</summary>
    private static bool HasRoomForCell(int c, int end) => c + 6 < end;

    /// <summary>
    /// A shape prepared for the per-byte scan: which serial types each field accepts (a table, so the scan makes
    /// no interface calls), and for each assumed payload-varint length the header bytes a freeblock overwrote.
    /// </summary>
    private sealed class ShapePlan
    {
        private readonly bool[][] _fieldAccepts;

        public ShapePlan(ICarveShape shape)
        {
            Shape = shape;
            FieldCount = shape.FieldCount;
            // Types 0..255 one by one; 256 stands for every larger even (blob) type, 257 for every larger odd (text) type.
            _fieldAccepts = Enumerable.Range(0, shape.FieldCount)
                .Select(f => Enumerable.Range(0, 258).Select(t => RecordDecoder.ContentSize(t) >= 0 && shape.AcceptsField(f, t)).ToArray())
                .ToArray();
            for (int pv = 1; pv <= 3; pv++)
            {
                // Lost: the payload-size varint (pv bytes), the 1-byte header size, and leading serial types filling
                // the rest of the four bytes; those types are rebuilt from the shape where they never vary.
                int lostTypeBytes = 4 - pv - 1;
                var prefix = new List<long>();
                while (lostTypeBytes > 0 && prefix.Count < shape.FieldCount && shape.FixedSerialType(prefix.Count) is long fixedType)
                {
                    prefix.Add(fixedType);
                    lostTypeBytes -= Varint.GetLength(fixedType);
                }

                LostPrefix[pv] = lostTypeBytes == 0 && prefix.Count < shape.FieldCount ? prefix.ToArray() : null;
            }
        }

        public ICarveShape Shape { get; }

        /// <summary>
        /// True when every header rebuilt after a freeblock overwrote four bytes has a field, among those read from
        /// the page, that cannot be NULL: then a run of zeros there is no record of this shape.
        /// </summary>
        public bool ZeroesNeverFit =>
            LostPrefix.All(prefix => prefix is null || Enumerable.Range(prefix.Length, FieldCount - prefix.Length).Any(f => !Accepts(f, 0)));

        /// <summary>The shape's field count, read once: the per-byte scan asks for it at every offset.</summary>
        public int FieldCount { get; }

        /// <summary>Index = assumed payload-varint length (1–3); null when no header can be rebuilt for it.</summary>
        public long[]?[] LostPrefix { get; } = new long[4][];

        public bool Accepts(int field, long serialType) =>
            serialType >= 0 && _fieldAccepts[field][serialType < 256 ? (int)serialType : 256 + (int)(serialType & 1)];
    }

    /// <summary>Tries every shape at <paramref name="c"/>, as an intact cell and as a cell whose first four bytes a freeblock header overwrote.</summary>
    private void TryCarveAt(byte[] image, uint pageNumber, int c, int end, CarveSource source, int walFrame, bool committed, List<CarvedRecord> results)
    {
        var span = image.AsSpan(0, end);
        bool haveLostType = Varint.TryRead(span[(c + 4)..], out long typeAfterPrefix, out _);
        for (int i = 0; i < _plans.Length; i++)
        {
            var plan = _plans[i];
            // Cheap tests first: this runs once per byte of free space.
            if (Varint.TryRead(span[c..], out long payload, out int pv) && payload > 0 && c + pv < end
                && Varint.TryRead(span[(c + pv)..], out long header, out int hv) && header > hv && header <= 10 * plan.FieldCount
                && Varint.TryRead(span[(c + pv + hv)..], out long firstType, out _) && plan.Accepts(0, firstType))
            {
                int before = results.Count;
                TryCell(image, pageNumber, c, end, plan, lostPrefix: false, 0, source, walFrame, committed, results);
                if (results.Count == before && source == CarveSource.DamagedPage)
                {
                    TryRepairOneSerialType(image, pageNumber, c, end, plan, source, walFrame, committed, results);
                }
            }

            for (int assumed = 1; haveLostType && assumed <= 3; assumed++)
            {
                if (plan.LostPrefix[assumed] is { } prefix && plan.Accepts(prefix.Length, typeAfterPrefix))
                {
                    TryCell(image, pageNumber, c, end, plan, lostPrefix: true, assumed, source, walFrame, committed, results);
                }
            }
        }
    }

    private void TryCell(byte[] image, uint pageNumber, int c, int end, ShapePlan plan, bool lostPrefix, int assumedPayloadVarint, CarveSource source, int walFrame, bool committed, List<CarvedRecord> results)
    {
        var shape = plan.Shape;
        var span = image.AsSpan(0, _db.UsableSize);
        var types = _types.AsSpan(0, plan.FieldCount);
        int pv;
        int typeStart;
        int field = 0;
        long declaredPayload = -1;
        long declaredHeader = -1;
        if (!lostPrefix)
        {
            if (!Varint.TryRead(span[c..], out declaredPayload, out pv) || !Varint.TryRead(span[(c + pv)..], out declaredHeader, out int hv))
            {
                return;
            }

            typeStart = c + pv + hv;
        }
        else
        {
            pv = assumedPayloadVarint;
            foreach (long fixedType in plan.LostPrefix[pv]!)
            {
                types[field++] = fixedType;
            }

            typeStart = c + 4;
        }

        int pos = typeStart;
        for (; field < plan.FieldCount; field++)
        {
            if (pos >= end || !Varint.TryRead(span[pos..end], out long type, out int used) || !plan.Accepts(field, type))
            {
                return;
            }

            types[field] = type;
            pos += used;
        }

        if (!shape.Accepts(types))
        {
            return;
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
            return;
        }

        FinishCell(span, pageNumber, c, end, pv, payload, header, types, lostPrefix, plan, source, walFrame, committed, results);
    }

    /// <summary>
    /// On a damaged page, a cell whose header has exactly one serial type its column cannot hold (a flipped byte):
    /// the payload size and the other types fix that field's content size, hence the one type of that size the
    /// column accepts (a zero size only as NULL). The rebuilt record must still pass the key check later.
    /// </summary>
    private void TryRepairOneSerialType(byte[] image, uint pageNumber, int c, int end, ShapePlan plan, CarveSource source, int walFrame, bool committed, List<CarvedRecord> results)
    {
        var span = image.AsSpan(0, _db.UsableSize);
        var types = _types.AsSpan(0, plan.FieldCount);
        if (!Varint.TryRead(span[c..], out long payload, out int pv) || !Varint.TryRead(span[(c + pv)..], out long header, out int hv))
        {
            return;
        }

        int pos = c + pv + hv;
        int bad = -1;
        int badLength = 0;
        long known = 0;
        for (int field = 0; field < plan.FieldCount; field++)
        {
            if (pos >= end || !Varint.TryRead(span[pos..end], out long type, out int used))
            {
                return;
            }

            types[field] = type;
            pos += used;
            if (plan.Accepts(field, type))
            {
                known += RecordDecoder.ContentSize(type);
            }
            else if (bad < 0)
            {
                (bad, badLength) = (field, used);
            }
            else
            {
                return;
            }
        }

        long size = payload - header - known;
        if (bad < 0 || pos - (c + pv) != header || size < 0)
        {
            return;
        }

        long[] candidates = size == 0 ? [0] : [12 + (2 * size), size switch { 1 => 1, 2 => 2, 3 => 3, 4 => 4, 6 => 5, 8 => 6, _ => -1 }, 13 + (2 * size)];
        long chosen = candidates.FirstOrDefault(t => t >= 0 && Varint.GetLength(t) == badLength && plan.Accepts(bad, t), -1);
        if (chosen < 0)
        {
            return;
        }

        types[bad] = chosen;
        if (plan.Shape.Accepts(types))
        {
            FinishCell(span, pageNumber, c, end, pv, payload, (int)header, types, lostPrefix: true, plan, source, walFrame, committed, results);
        }
    }

    /// <summary>
    /// A freeblock that holds exactly one deleted cell records that cell's size in its header: the payload size
    /// follows, and with it the content size of a lost leading field whose serial type varies (a v0.4 timestamp, a
    /// topic) — its type is then the one type of that size the column accepts.
    /// </summary>
    private void TryFreeblockHead(byte[] image, uint pageNumber, int c, int blockSize, CarveSource source, int walFrame, bool committed, List<CarvedRecord> results)
    {
        var span = image.AsSpan(0, _db.UsableSize);
        int end = c + blockSize;
        foreach (var plan in _plans)
        {
            var types = _types.AsSpan(0, plan.FieldCount);
            for (int pv = 1; pv <= 3; pv++)
            {
                long payload = blockSize - pv;
                int lostTypeBytes = 4 - pv - 1;
                if (payload <= 0 || Varint.GetLength(payload) != pv || lostTypeBytes <= 0
                    || CellDecoder.LocalPayloadSize(payload, _db.UsableSize, tableLeaf: false) != payload)
                {
                    continue;
                }

                // Fixed leading fields first; the one after them is the unknown field, filling the rest of the lost bytes.
                int unknown = 0;
                int fixedBytes = 0;
                while (unknown < plan.FieldCount && plan.Shape.FixedSerialType(unknown) is long fixedType && fixedBytes + Varint.GetLength(fixedType) < lostTypeBytes)
                {
                    types[unknown++] = fixedType;
                    fixedBytes += Varint.GetLength(fixedType);
                }

                int unknownLength = lostTypeBytes - fixedBytes;
                if (unknown >= plan.FieldCount || plan.Shape.FixedSerialType(unknown) is not null)
                {
                    continue;
                }

                int pos = c + 4;
                int typeBytes = lostTypeBytes;
                long knownContent = 0;
                bool ok = true;
                for (int field = unknown + 1; field < plan.FieldCount && ok; field++)
                {
                    long type = 0;
                    int used = 0;
                    ok = pos < end && Varint.TryRead(span[pos..end], out type, out used) && plan.Accepts(field, type);
                    if (ok)
                    {
                        types[field] = type;
                        knownContent += RecordDecoder.ContentSize(type);
                        typeBytes += used;
                        pos += used;
                    }
                }

                for (int f = 0; f < unknown; f++)
                {
                    knownContent += RecordDecoder.ContentSize(types[f]);
                }

                int header = 1 + typeBytes;
                long size = payload - header - knownContent;
                if (!ok || header >= 128 || size < 0)
                {
                    continue;
                }

                // The serial type of that size the column accepts, blob before integer before text (nwaku binds
                // topics and payloads as blobs; text is only tolerated). A zero size is ambiguous (NULL, 0 or 1): skip.
                long[] candidates = size == 0 ? [] : [12 + (2 * size), size switch { 1 => 1, 2 => 2, 3 => 3, 4 => 4, 6 => 5, 8 => 6, _ => -1 }, 13 + (2 * size)];
                long chosen = candidates.FirstOrDefault(t => t > 0 && Varint.GetLength(t) == unknownLength && plan.Accepts(unknown, t), -1);
                if (chosen < 0)
                {
                    continue;
                }

                types[unknown] = chosen;
                if (plan.Shape.Accepts(types))
                {
                    FinishCell(span, pageNumber, c, end, pv, payload, header, types, lostPrefix: true, plan, source, walFrame, committed, results);
                }
            }
        }
    }

    /// <summary>Locates the payload of a cell whose header is known or rebuilt, assembles it, and decodes the record.</summary>
    private void FinishCell(Span<byte> span, uint pageNumber, int c, int end, int pv, long payload, int header, Span<long> types, bool lostPrefix, ShapePlan plan, CarveSource source, int walFrame, bool committed, List<CarvedRecord> results)
    {
        var shape = plan.Shape;
        int local = CellDecoder.LocalPayloadSize(payload, _db.UsableSize, tableLeaf: false);
        bool spills = local < payload;
        int cellEnd = c + pv + local + (spills ? 4 : 0);
        if (cellEnd > end && !(source == CarveSource.Freeblock && cellEnd <= _db.UsableSize))
        {
            return;
        }

        uint firstOverflow = spills ? System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(span[(c + pv + local)..]) : 0;
        var cell = new BTreeCell(c, cellEnd - c, 0, 0, payload, c + pv, local, firstOverflow);
        if (!_db.AssemblePayload(span, pageNumber, cell, ref _payload, ref _overflow, observer: null, report: false, out int length, walFrame))
        {
            return;
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
            return;
        }

        results.Add(new CarvedRecord(source, pageNumber, c, walFrame, committed, values, _serialTypes.ToArray(), shape, lostPrefix));
    }
}
