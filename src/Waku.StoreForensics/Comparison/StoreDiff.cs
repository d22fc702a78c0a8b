using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Waku.StoreForensics.Recovery;
using Waku.StoreForensics.Scanning;
using Waku.StoreForensics.Schema;
using Waku.StoreForensics.Sqlite;
using Waku.StoreForensics.Validation;

namespace Waku.StoreForensics.Comparison;

/// <summary>
/// Compares the Message (and Peer) tables of two nwaku databases row by row: which keys only one file holds, and
/// which columns differ where both hold a key. Both files are read with our own page reader, read-only, so neither
/// (nor its <c>-wal</c>/<c>-shm</c>) is touched, and a damaged file is compared as far as it can be read.
/// </summary>
/// <remarks>
/// Same layout: rows match by the layout's primary key and every column is compared, storage class included. Other
/// layouts: the older file's rows are converted to the newer layout as nwaku's migrations would
/// (<see cref="MessageConversion"/>, keys computed from the converted values), which is how a
/// <c>recover --target-schema</c> output is checked against its input. Memory: about 100 bytes per left-file row.
/// </remarks>
public static class StoreDiff
{
    /// <summary>Compares <paramref name="leftPath"/> with <paramref name="rightPath"/>.</summary>
    /// <exception cref="InvalidDataException">A file has no Message table of a layout nwaku created.</exception>
    public static StoreDiffReport Compare(string leftPath, string rightPath, StoreDiffOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(leftPath);
        ArgumentException.ThrowIfNullOrEmpty(rightPath);
        options ??= new StoreDiffOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxListed, nameof(options.MaxListed));
        var clock = Stopwatch.StartNew();
        // The hashes are computed beside the comparison (the other core): on 1 GB files they take as long as a read.
        var evidence = Task.Run(() => (StoreScanner.HashEvidence(leftPath, cancellationToken), StoreScanner.HashEvidence(rightPath, cancellationToken)), cancellationToken);
        try
        {
            var read = new SqliteReadOptions { Overlay = options.ApplyWal ? JournalOverlay.Wal : JournalOverlay.None };
            using var left = SqliteDatabase.Open(leftPath, read);
            using var right = SqliteDatabase.Open(rightPath, read);
            var leftDetection = SchemaDetector.Detect(left.Header.UserVersion, left.Schema);
            var rightDetection = SchemaDetector.Detect(right.Header.UserVersion, right.Schema);
            var leftLayout = MessageLayout(leftDetection, leftPath);
            var rightLayout = MessageLayout(rightDetection, rightPath);

            // Compare in the newer layout: converting back would lose what the newer one keeps.
            var common = rightLayout.Id >= leftLayout.Id ? rightLayout : leftLayout;
            Func<object?[], object?[]> toLeft = leftLayout.Id == common.Id ? row => row : row => MessageConversion.Convert(row, leftLayout, common);
            Func<object?[], object?[]> toRight = rightLayout.Id == common.Id ? row => row : row => MessageConversion.Convert(row, rightLayout, common);
            var messages = CompareTable(common, () => Rows(left, leftDetection.Message!.TableName, toLeft), Rows(right, rightDetection.Message!.TableName, toRight),
                leftDetection.Message!.TableName, options.MaxListed, cancellationToken);

            TableDiff? peers = null;
            var leftPeerLayout = leftDetection.Peer is { IsExactMatch: true } lp ? lp.Schema : null;
            var rightPeerLayout = rightDetection.Peer is { IsExactMatch: true } rp ? rp.Schema : null;
            string? peersNotCompared = (leftPeerLayout, rightPeerLayout) switch
            {
                (null, null) => "none_in_either",
                (_, null) => "only_left",
                (null, _) => "only_right",
                var (l, r) when l.Id != r.Id => "layouts_differ",
                _ => null,
            };
            if (peersNotCompared is null && leftPeerLayout is { } leftPeers)
            {
                peers = CompareTable(leftPeers, () => Rows(left, leftDetection.Peer!.TableName, null), Rows(right, rightDetection.Peer!.TableName, null),
                    leftDetection.Peer!.TableName, options.MaxListed, cancellationToken);
            }
            var (leftEvidence, rightEvidence) = evidence.GetAwaiter().GetResult();
            return new StoreDiffReport
            {
                Left = leftEvidence,
                Right = rightEvidence,
                LeftLayout = leftLayout.Id,
                RightLayout = rightLayout.Id,
                ComparedBy = leftLayout.Id == rightLayout.Id ? DiffKey.PrimaryKey : DiffKey.ConvertedPrimaryKey,
                Messages = messages,
                Peers = peers,
                PeersNotCompared = peersNotCompared,
                LeftReadErrors = left.Findings.Count(f => f.Severity == SqliteFindingSeverity.Error),
                RightReadErrors = right.Findings.Count(f => f.Severity == SqliteFindingSeverity.Error),
                Seconds = clock.Elapsed.TotalSeconds,
            };
        }
        finally
        {
            // Never leave the hashing reading the evidence behind a failed comparison.
            BackgroundWork.WaitQuietly(evidence);
        }
    }

    private static MessageTableSchema MessageLayout(SchemaDetection detection, string path) =>
        detection.MessageSchema ?? throw new InvalidDataException(detection.Message is null
            ? $"{path} has no Message table."
            : $"{path}: the Message table matches no layout nwaku created ({string.Join("; ", detection.Message.Differences)}).");

    private static IEnumerable<object?[]> Rows(SqliteDatabase db, string table, Func<object?[], object?[]>? convert)
    {
        if (db.FindObject(table) is not { RootPage: > 0 } entry)
        {
            yield break;
        }

        foreach (var row in db.ReadRows(entry.RootPage, db.GetTableDefinition(entry.Name)))
        {
            yield return convert is null ? row.Values : convert(row.Values);
        }
    }

    /// <summary>What is kept of a left row: a digest of all its values and one short hash per column.</summary>
    private sealed record Seen(UInt128 Digest, int[] Columns, long Order)
    {
        public bool Matched { get; set; }
    }

    // leftRows is called a second time only to list keys found only on the left (formatted for those alone).
    private static TableDiff CompareTable(TableSchema schema, Func<IEnumerable<object?[]>> leftRows, IEnumerable<object?[]> rightRows, string table, int maxListed, CancellationToken cancellationToken)
    {
        var left = new Dictionary<UInt128, Seen>();
        long leftCount = 0, rightCount = 0, same = 0, differing = 0, onlyRight = 0, repeated = 0;
        var columnCounts = new long[schema.Columns.Count];
        var listed = new List<DifferingRow>();
        foreach (var row in leftRows())
        {
            cancellationToken.ThrowIfCancellationRequested();
            leftCount++;
            if (!left.TryAdd(schema.KeyFingerprint(row), new Seen(Digest(row), ColumnHashes(row), leftCount)))
            {
                repeated++;
            }
        }

        var rightSeen = new HashSet<UInt128>();
        foreach (var row in rightRows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            rightCount++;
            var key = schema.KeyFingerprint(row);
            if (!rightSeen.Add(key))
            {
                repeated++;
                continue;
            }

            if (!left.TryGetValue(key, out var seen))
            {
                onlyRight++;
                if (listed.Count < maxListed)
                {
                    listed.Add(new DifferingRow(MessageRowValidator.FormatKey(schema, row), RowDifference.OnlyRight, []));
                }

                continue;
            }

            seen.Matched = true;
            if (seen.Digest == Digest(row))
            {
                same++;
                continue;
            }

            differing++;
            var hashes = ColumnHashes(row);
            var names = new List<string>();
            for (int i = 0; i < hashes.Length; i++)
            {
                if (hashes[i] != seen.Columns[i])
                {
                    columnCounts[i]++;
                    names.Add(schema.Columns[i].Name);
                }
            }

            if (listed.Count < maxListed)
            {
                // Equal short hashes but another digest: a 32-bit collision, the row still differs.
                listed.Add(new DifferingRow(MessageRowValidator.FormatKey(schema, row), RowDifference.Differing, names.Count > 0 ? names : ["(a column whose short hashes collide)"]));
            }
        }

        long onlyLeft = left.Values.Count(s => !s.Matched);
        var leftListed = new List<DifferingRow>();
        if (onlyLeft > 0 && maxListed > 0)
        {
            foreach (var row in leftRows())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (left.TryGetValue(schema.KeyFingerprint(row), out var seen) && !seen.Matched)
                {
                    seen.Matched = true; // a repeated key is listed once
                    leftListed.Add(new DifferingRow(MessageRowValidator.FormatKey(schema, row), RowDifference.OnlyLeft, []));
                    if (leftListed.Count == maxListed)
                    {
                        break;
                    }
                }
            }
        }

        // Only-left keys first (left-file order), then what the right pass listed.
        var ordered = leftListed.Concat(listed).Take(maxListed).ToList();
        return new TableDiff
        {
            Table = table,
            LeftRows = leftCount,
            RightRows = rightCount,
            Same = same,
            OnlyLeft = onlyLeft,
            OnlyRight = onlyRight,
            Differing = differing,
            RepeatedKeys = repeated,
            DifferingColumns = schema.Columns.Select((c, i) => (c.Name, Count: columnCounts[i])).Where(t => t.Count > 0).ToDictionary(t => t.Name, t => t.Count),
            Listed = ordered,
        };
    }

    /// <summary>128 bits of SHA-256 over every value with its storage class: equal digests are equal rows.</summary>
    private static UInt128 Digest(object?[] row)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> scratch = stackalloc byte[9];
        foreach (var value in row)
        {
            byte[] bytes = Encode(value, scratch, out int length);
            hash.AppendData(scratch[..length]);
            hash.AppendData(bytes);
        }

        Span<byte> digest = stackalloc byte[32];
        hash.GetHashAndReset(digest);
        return new UInt128(BitConverter.ToUInt64(digest), BitConverter.ToUInt64(digest[8..]));
    }

    /// <summary>A short hash per column, to name the columns of a row whose digest differs.</summary>
    private static int[] ColumnHashes(object?[] row)
    {
        var hashes = new int[row.Length];
        Span<byte> scratch = stackalloc byte[9];
        for (int i = 0; i < row.Length; i++)
        {
            var hash = new HashCode();
            byte[] bytes = Encode(row[i], scratch, out int length);
            hash.AddBytes(scratch[..length]);
            hash.AddBytes(bytes);
            hashes[i] = hash.ToHashCode();
        }

        return hashes;
    }

    /// <summary>A type tag and length (in <paramref name="header"/>) and the value's bytes.</summary>
    private static byte[] Encode(object? value, Span<byte> header, out int headerLength)
    {
        (byte tag, byte[] bytes) = value switch
        {
            null or DBNull => ((byte)0, Array.Empty<byte>()),
            long l => ((byte)1, BitConverter.GetBytes(l)),
            double d => ((byte)2, BitConverter.GetBytes(d)),
            string s => ((byte)3, Encoding.UTF8.GetBytes(s)),
            byte[] b => ((byte)4, b),
            _ => throw new ArgumentException($"Unsupported column value type {value.GetType()}."),
        };
        header[0] = tag;
        BitConverter.TryWriteBytes(header[1..], (long)bytes.Length);
        headerLength = 9;
        return bytes;
    }
}
