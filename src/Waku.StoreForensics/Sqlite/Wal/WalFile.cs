using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace Waku.StoreForensics.Sqlite.Wal;

/// <summary>One frame of a write-ahead log (fileformat2 §4.1).</summary>
/// <param name="Index">Zero-based frame number in the WAL file.</param>
/// <param name="PageNumber">Database page the frame holds an image of.</param>
/// <param name="CommitSizeInPages">For a commit frame, the database size in pages after the commit; else 0.</param>
/// <param name="Salt1">First salt copied from the WAL header when the frame was written.</param>
/// <param name="Salt2">Second salt copied from the WAL header when the frame was written.</param>
/// <param name="SaltsMatch">The frame's salts equal the header's (it belongs to the current WAL generation).</param>
/// <param name="ChecksumValid">The cumulative checksum up to and including this frame matches.</param>
/// <param name="Committed">The frame is at or before the last valid commit: SQLite would read it.</param>
/// <param name="Torn">The file ends inside this frame (a torn write): its page image is partial, zero-filled.</param>
public sealed record WalFrame(
    int Index,
    uint PageNumber,
    uint CommitSizeInPages,
    uint Salt1,
    uint Salt2,
    bool SaltsMatch,
    bool ChecksumValid,
    bool Committed,
    bool Torn = false)
{
    /// <summary>True when this frame ends a transaction.</summary>
    public bool IsCommit => CommitSizeInPages != 0;

    /// <summary>Byte offset of the frame header in the WAL file.</summary>
    public long FileOffset(int pageSize) => WalFile.HeaderLength + (long)Index * (WalFile.FrameHeaderLength + pageSize);
}

/// <summary>
/// A write-ahead log opened read-only: header, every frame with salts and cumulative checksums (either byte
/// order), and the view as of the last valid commit. Older page images that the WAL still holds stay reachable.
/// </summary>
public sealed class WalFile : IDisposable
{
    internal const int HeaderLength = 32;
    internal const int FrameHeaderLength = 24;
    private const uint MagicLittleEndian = 0x377f0682;
    private const uint MagicBigEndian = 0x377f0683;

    private readonly SafeFileHandle _handle;
    private readonly Dictionary<uint, int> _latestCommittedFrame = new();
    private readonly Dictionary<uint, List<int>> _generationFrames = new();
    private int[]? _transactionEnd;
    private readonly List<SqliteFinding> _findings = new();
    private readonly List<WalFrame> _frames = new();

    private WalFile(string path, SafeFileHandle handle)
    {
        Path = path;
        _handle = handle;
    }

    /// <summary>Path of the WAL file.</summary>
    public string Path { get; }
    /// <summary>Length of the WAL file in bytes.</summary>
    public long Length { get; private set; }
    /// <summary>Raw magic number (0x377f0682 little-endian checksums, 0x377f0683 big-endian).</summary>
    public uint Magic { get; private set; }
    /// <summary>True when checksums are computed on big-endian words.</summary>
    public bool BigEndianChecksums => Magic == MagicBigEndian;
    /// <summary>WAL format version (3007000).</summary>
    public uint FormatVersion { get; private set; }
    /// <summary>Page size the WAL was written with.</summary>
    public int PageSize { get; private set; }
    /// <summary>Checkpoint sequence number.</summary>
    public uint CheckpointSequence { get; private set; }
    /// <summary>Salt-1 of the current WAL generation.</summary>
    public uint Salt1 { get; private set; }
    /// <summary>Salt-2 of the current WAL generation.</summary>
    public uint Salt2 { get; private set; }
    /// <summary>True when the header's own checksum matches.</summary>
    public bool HeaderValid { get; private set; }
    /// <summary>Every whole frame in the file, valid or not, in file order.</summary>
    public IReadOnlyList<WalFrame> Frames => _frames;
    /// <summary>Index of the last valid commit frame, or -1 when the WAL holds no valid commit.</summary>
    public int LastCommitFrame { get; private set; } = -1;
    /// <summary>Database size in pages after the last valid commit (0 when none).</summary>
    public uint CommittedDatabaseSize { get; private set; }
    /// <summary>Damage found in the WAL.</summary>
    public IReadOnlyList<SqliteFinding> Findings => _findings;

    /// <summary>Opens <paramref name="path"/> read-only and indexes every frame. Returns null when the file does not exist.</summary>
    public static WalFile? TryOpen(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var wal = new WalFile(path, handle);
        try
        {
            wal.Index();
        }
        catch
        {
            wal.Dispose();
            throw;
        }

        return wal;
    }

    /// <summary>The frame SQLite would read for <paramref name="pageNumber"/>, or null when the page is not in the committed WAL.</summary>
    public WalFrame? FindCommittedFrame(uint pageNumber) =>
        _latestCommittedFrame.TryGetValue(pageNumber, out int index) ? _frames[index] : null;

    /// <summary>
    /// The newest frame of the current WAL generation (matching salts, committed or not) holding
    /// <paramref name="pageNumber"/> up to the end of the transaction that wrote frame <paramref name="asOfFrame"/>:
    /// the page as that transaction left it (SQLite writes a transaction's frames in page-number order, so a
    /// b-tree page's frame can precede the frame of an overflow page it points to). Null when the page is not in
    /// the WAL by then.
    /// </summary>
    public WalFrame? FindFrameAsOf(uint pageNumber, int asOfFrame)
    {
        asOfFrame = TransactionEnd(asOfFrame);
        if (!_generationFrames.TryGetValue(pageNumber, out var indexes))
        {
            return null;
        }

        for (int i = indexes.Count - 1; i >= 0; i--)
        {
            if (indexes[i] <= asOfFrame)
            {
                return _frames[indexes[i]];
            }
        }

        return null;
    }

    /// <summary>Index of the commit frame ending the transaction of frame <paramref name="frame"/>, or the last frame for a torn one.</summary>
    public int TransactionEnd(int frame)
    {
        var ends = _transactionEnd;
        if (ends is null)
        {
            // One backward pass: each frame's transaction ends at the next commit frame of this generation. Built
            // aside and published whole, so concurrent readers never see a half-filled table.
            ends = new int[_frames.Count];
            int end = _frames.Count - 1;
            for (int i = _frames.Count - 1; i >= 0; i--)
            {
                if (_frames[i].IsCommit && _frames[i].SaltsMatch)
                {
                    end = i;
                }

                ends[i] = end;
            }

            _transactionEnd = ends;
        }

        return frame < 0 || frame >= ends.Length ? _frames.Count - 1 : ends[frame];
    }

    /// <summary>Highest page number any frame of the current generation holds (pages a transaction added).</summary>
    public uint MaxPageNumber { get; private set; }

    /// <summary>Every frame holding an image of <paramref name="pageNumber"/>, oldest first (including invalid ones).</summary>
    public IEnumerable<WalFrame> FramesOf(uint pageNumber) => _frames.Where(f => f.PageNumber == pageNumber);

    /// <summary>
    /// Reads the page image of <paramref name="frame"/> into <paramref name="destination"/> (at least
    /// <see cref="PageSize"/> bytes); the missing part of a torn frame reads as zeros.
    /// </summary>
    public void ReadFrame(WalFrame frame, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (destination.Length < PageSize)
        {
            throw new ArgumentException("Destination shorter than a page.", nameof(destination));
        }

        var page = destination[..PageSize];
        long offset = frame.FileOffset(PageSize) + FrameHeaderLength;
        int read = 0;
        while (read < PageSize)
        {
            int n = RandomAccess.Read(_handle, page[read..], offset + read);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        page[read..].Clear();
    }

    private void Index()
    {
        Length = RandomAccess.GetLength(_handle);
        Span<byte> header = stackalloc byte[HeaderLength];
        if (Length < HeaderLength || RandomAccess.Read(_handle, header, 0) < HeaderLength)
        {
            if (Length > 0)
            {
                _findings.Add(new SqliteFinding(SqliteFindingKind.WalHeaderInvalid, SqliteFindingSeverity.Warning, 0, 0, $"WAL file is {Length} bytes, shorter than its 32-byte header"));
            }

            return;
        }

        Magic = BinaryPrimitives.ReadUInt32BigEndian(header);
        FormatVersion = BinaryPrimitives.ReadUInt32BigEndian(header[4..]);
        uint rawPageSize = BinaryPrimitives.ReadUInt32BigEndian(header[8..]);
        PageSize = rawPageSize == 1 ? 65536 : (int)Math.Min(rawPageSize, int.MaxValue);
        CheckpointSequence = BinaryPrimitives.ReadUInt32BigEndian(header[12..]);
        Salt1 = BinaryPrimitives.ReadUInt32BigEndian(header[16..]);
        Salt2 = BinaryPrimitives.ReadUInt32BigEndian(header[20..]);
        uint c1 = BinaryPrimitives.ReadUInt32BigEndian(header[24..]);
        uint c2 = BinaryPrimitives.ReadUInt32BigEndian(header[28..]);

        if (Magic is not (MagicLittleEndian or MagicBigEndian))
        {
            _findings.Add(new SqliteFinding(SqliteFindingKind.WalHeaderInvalid, SqliteFindingSeverity.Error, 0, 0, $"WAL magic 0x{Magic:x8} is not 0x377f0682/3; WAL ignored"));
            return;
        }

        if (PageSize < 512 || PageSize > 65536 || (PageSize & (PageSize - 1)) != 0)
        {
            _findings.Add(new SqliteFinding(SqliteFindingKind.WalHeaderInvalid, SqliteFindingSeverity.Error, 0, 8, $"WAL page size {rawPageSize} is invalid; WAL ignored"));
            return;
        }

        uint s0 = 0, s1 = 0;
        Checksum(header[..24], BigEndianChecksums, ref s0, ref s1);
        HeaderValid = s0 == c1 && s1 == c2;
        if (!HeaderValid)
        {
            // SQLite ignores the whole WAL when its header checksum fails.
            _findings.Add(new SqliteFinding(SqliteFindingKind.WalHeaderInvalid, SqliteFindingSeverity.Error, 0, 24, "WAL header checksum mismatch: SQLite ignores every frame"));
        }

        if (FormatVersion != 3007000)
        {
            _findings.Add(new SqliteFinding(SqliteFindingKind.WalHeaderInvalid, SqliteFindingSeverity.Warning, 0, 4, $"WAL format version {FormatVersion}, expected 3007000"));
        }

        ScanFrames(s0, s1);
    }

    private void ScanFrames(uint s0, uint s1)
    {
        int frameSize = FrameHeaderLength + PageSize;
        long frameCount = (Length - HeaderLength) / frameSize;
        byte[] frame = new byte[frameSize];
        bool chainValid = HeaderValid;
        var pending = new List<(uint Page, int Index)>();
        for (int i = 0; i < frameCount; i++)
        {
            long offset = HeaderLength + (long)i * frameSize;
            if (RandomAccess.Read(_handle, frame, offset) < frameSize)
            {
                break;
            }

            uint pgno = BinaryPrimitives.ReadUInt32BigEndian(frame);
            uint commit = BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(4));
            uint salt1 = BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(8));
            uint salt2 = BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(12));
            uint f1 = BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(16));
            uint f2 = BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(20));
            bool saltsMatch = salt1 == Salt1 && salt2 == Salt2;

            bool checksumValid = false;
            if (chainValid && saltsMatch && pgno != 0)
            {
                Checksum(frame.AsSpan(0, 8), BigEndianChecksums, ref s0, ref s1);
                Checksum(frame.AsSpan(FrameHeaderLength, PageSize), BigEndianChecksums, ref s0, ref s1);
                checksumValid = s0 == f1 && s1 == f2;
            }

            // fileformat2 §4.3: a frame is valid only while every frame before it is valid too.
            chainValid &= saltsMatch && checksumValid;
            _frames.Add(new WalFrame(i, pgno, commit, salt1, salt2, saltsMatch, chainValid, Committed: false));
            if (saltsMatch && pgno != 0)
            {
                AddToGeneration(pgno, i);
            }

            if (!chainValid)
            {
                continue;
            }

            pending.Add((pgno, i));
            if (commit != 0)
            {
                foreach (var (page, index) in pending)
                {
                    _latestCommittedFrame[page] = index;
                }

                pending.Clear();
                LastCommitFrame = i;
                CommittedDatabaseSize = commit;
            }
        }

        for (int i = 0; i <= LastCommitFrame; i++)
        {
            _frames[i] = _frames[i] with { Committed = true };
        }

        int uncommitted = _frames.Count - (LastCommitFrame + 1);
        if (uncommitted > 0)
        {
            int stale = _frames.Skip(LastCommitFrame + 1).Count(f => !f.SaltsMatch);
            int firstBad = LastCommitFrame + 1;
            long offset = HeaderLength + (long)firstBad * frameSize;
            _findings.Add(new SqliteFinding(
                SqliteFindingKind.WalFramesInvalid,
                stale == uncommitted ? SqliteFindingSeverity.Info : SqliteFindingSeverity.Warning,
                0,
                (int)Math.Min(int.MaxValue, offset),
                $"{uncommitted} WAL frame(s) after the last valid commit (frame {LastCommitFrame}) are not read by SQLite: " +
                $"{stale} from an older WAL generation (stale salts), {uncommitted - stale} torn, uncommitted or with a bad checksum"));
        }

        long tail = (Length - HeaderLength) % frameSize;
        if (tail >= FrameHeaderLength)
        {
            // Keep the torn frame: the part of its page image that reached the disk may still hold cells.
            Span<byte> torn = stackalloc byte[FrameHeaderLength];
            RandomAccess.Read(_handle, torn, Length - tail);
            uint salt1 = BinaryPrimitives.ReadUInt32BigEndian(torn[8..]);
            uint salt2 = BinaryPrimitives.ReadUInt32BigEndian(torn[12..]);
            uint tornPage = BinaryPrimitives.ReadUInt32BigEndian(torn);
            _frames.Add(new WalFrame(_frames.Count, tornPage, BinaryPrimitives.ReadUInt32BigEndian(torn[4..]),
                salt1, salt2, salt1 == Salt1 && salt2 == Salt2, ChecksumValid: false, Committed: false, Torn: true));
            if (salt1 == Salt1 && salt2 == Salt2 && tornPage != 0)
            {
                AddToGeneration(tornPage, _frames.Count - 1);
            }
        }

        if (tail != 0)
        {
            _findings.Add(new SqliteFinding(SqliteFindingKind.WalFramesInvalid, SqliteFindingSeverity.Warning, 0, (int)Math.Min(int.MaxValue, Length - tail), $"WAL ends with a partial frame of {tail} bytes (torn write)"));
        }
    }

    private void AddToGeneration(uint page, int frame)
    {
        if (!_generationFrames.TryGetValue(page, out var list))
        {
            _generationFrames[page] = list = new List<int>();
        }

        list.Add(frame);
        MaxPageNumber = Math.Max(MaxPageNumber, page);
    }

    /// <summary>WAL checksum (fileformat2 §4.2): Fibonacci-weighted sums over 32-bit words.</summary>
    internal static void Checksum(ReadOnlySpan<byte> data, bool bigEndian, ref uint s0, ref uint s1)
    {
        for (int i = 0; i + 8 <= data.Length; i += 8)
        {
            uint x0 = bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(data[i..]) : BinaryPrimitives.ReadUInt32LittleEndian(data[i..]);
            uint x1 = bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(data[(i + 4)..]) : BinaryPrimitives.ReadUInt32LittleEndian(data[(i + 4)..]);
            s0 += x0 + s1;
            s1 += x1 + s0;
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _handle.Dispose();
}
