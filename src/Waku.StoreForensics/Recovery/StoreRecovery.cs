using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Waku.StoreForensics.Scanning;
using Waku.StoreForensics.Schema;
using Waku.StoreForensics.Sqlite;
using Waku.StoreForensics.Validation;

namespace Waku.StoreForensics.Recovery;

/// <summary>
/// Carves every surviving row of an nwaku store, proves each one with the validators (the key recomputed by
/// nwaku's formula), and writes a clean database in nwaku's exact schema, plus a quarantine database with every
/// rejected or excluded row and its reason. The input is only read.
/// </summary>
/// <remarks>
/// Candidates are taken in passes, best source first, and the first valid candidate of a key wins:
/// (1) the live b-tree as SQLite would read it (committed WAL applied, or a hot journal rolled back), read by our
///     reader and then by SQLite itself, read-only (see <see cref="SqliteEvidenceAccess"/>), as an independent witness;
/// (2) rows lost to damage: cells of orphaned pages, pages whose header is destroyed, every byte of live pages the
///     reader found damaged (a bad cell pointer hides a cell), the newest committed
///     WAL image of each page, and WAL frames of the current generation after the last commit (a torn write);
/// (3) deleted rows: older committed WAL images (newest first), the file's copies of pages the WAL replaced,
///     freelist pages, freeblocks, unallocated gaps and overflow tails, frames of older WAL generations, then
///     journal images. Within a pass, page order. Rows of pass 3 are written only with <see cref="RecoveryOptions.IncludeDeleted"/>.
/// A candidate that fails validation goes to quarantine and does not claim its key, so a later valid copy can.
/// Memory stays bounded: rows stream from the reader into the output; only 16-byte key fingerprints are kept.
/// </remarks>
public static class StoreRecovery
{
    /// <summary>Recovers <paramref name="inputPath"/> into <see cref="RecoveryOptions.OutputPath"/>.</summary>
    public static RecoveryReport Recover(string inputPath, RecoveryOptions options, IProgress<ScanProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(inputPath);
        ArgumentNullException.ThrowIfNull(options);
        string output = Path.GetFullPath(options.OutputPath);
        string input = Path.GetFullPath(inputPath);
        foreach (string suffix in new[] { "", "-wal", "-journal", "-shm" })
        {
            if (string.Equals(output, input + suffix, StringComparison.Ordinal))
            {
                throw new ArgumentException("The output must not be the input or one of its sidecar files: evidence is never written.", nameof(options));
            }
        }

        if (File.Exists(output) && !options.Overwrite)
        {
            throw new IOException($"{output} exists; choose another output or allow overwriting.");
        }

        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        progress?.Report(new ScanProgress("hashing evidence and mapping pages", 0));
        // The hash runs on the other core while this one maps the pages (mapping is one thread; both only read).
        var hashing = Task.Run(() => StoreScanner.HashEvidence(input, cancellationToken), cancellationToken);
        Task<PageMapping>? mapping = null;
        try
        {
            // A hot journal means SQLite would roll the file back before reading it: recover that state.
            bool hotJournal;
            using (var journal = Sqlite.Journal.RollbackJournal.TryOpen(input + "-journal"))
            {
                hotJournal = journal is { IsHot: true };
            }

            var readOptions = new SqliteReadOptions { Overlay = hotJournal ? JournalOverlay.RollbackJournal : JournalOverlay.Wal };
            using var db = SqliteDatabase.Open(input, readOptions);
            // The page map walks every tree once more than the live pass does: on its own handle it runs beside the
            // live pass (whose reader waits on SQLite's inserts) instead of before it. Only the lost-row pass needs it.
            mapping = Task.Run(() => PageMapping.Of(input, readOptions, cancellationToken), cancellationToken);
            return Run(db, mapping, options, progress, cancellationToken, hashing, started, clock);
        }
        finally
        {
            // Never leave the hash or the map reading the evidence behind a failed run; their failures surfaced in Run, or are moot.
            BackgroundWork.WaitQuietly(hashing);
            if (mapping is not null)
            {
                BackgroundWork.WaitQuietly(mapping);
            }
        }
    }

    /// <summary>Every page classified, and the findings the walk met (on its own handle, so its own list).</summary>
    private sealed record PageMapping(IReadOnlyList<PageInfo> Map, IReadOnlyList<SqliteFinding> Findings)
    {
        public static PageMapping Of(string path, SqliteReadOptions options, CancellationToken cancellationToken)
        {
            using var db = SqliteDatabase.Open(path, options);
            var map = db.MapPages(cancellationToken: cancellationToken);
            return new PageMapping(map, db.Findings.ToList());
        }
    }

    private static RecoveryReport Run(SqliteDatabase db, Task<PageMapping> mapping, RecoveryOptions options, IProgress<ScanProgress>? progress, CancellationToken cancellationToken, Task<IReadOnlyList<EvidenceFile>> hashing, DateTimeOffset started, Stopwatch clock)
    {
        var notes = new List<Finding>();
        var (inputSchema, detectedFrom, peerSchema) = DetectLayouts(db, notes);
        var targetSchema = options.TargetLayout is { } target ? NwakuSchemaCatalog.Get(target) : inputSchema;
        if (targetSchema.Id != inputSchema.Id)
        {
            notes.Add(new Finding(Severity.Info, FindingKind.UserVersionMismatch, Location.Unknown, $"{inputSchema.Id} → {targetSchema.Id}",
                targetSchema.Columns.Any(c => c.Role == ColumnRole.MessageHash) && !inputSchema.Columns.Any(c => c.Role == ColumnRole.MessageHash)
                    ? "Rows converted as nwaku's migrations would, except messageHash: computed from each row's own values instead of migration 00008's randomblob(32)."
                    : "Rows converted as nwaku's migrations would."));
        }

        // Peers live in the message file up to v0.12 (S1–S7); later layouts keep them in peers.db.
        var outputPeerSchema = peerSchema is not null && targetSchema.Id <= MessageSchemaId.S7 ? peerSchema : null;
        string outputDirectory = Path.GetDirectoryName(Path.GetFullPath(options.OutputPath))!;
        string temp = Path.Combine(outputDirectory, $".{Path.GetFileName(options.OutputPath)}.{Guid.NewGuid():N}.tmp");
        string quarantinePath = Path.GetFullPath(options.OutputPath) + ".quarantine.db";
        string quarantineTemp = quarantinePath + $".{Guid.NewGuid():N}.tmp";
        var run = new RecoveryRun(db, mapping, inputSchema, targetSchema, peerSchema, options, cancellationToken);
        long messagesWritten;
        long peersWritten = 0;
        bool verified;
        try
        {
            using (var quarantine = new QuarantineWriter(quarantineTemp))
            {
                run.Quarantine = quarantine;
                // 16 MiB of page cache: a WITHOUT ROWID table rebalances leaves with their neighbours, which SQLite's
                // default 2 MiB has already written out and evicted among the overflow pages (1 GB S10: 616k page
                // writes and 1.98M reads with 2 MiB, 353k and 1.70M with 16 MiB, no gain with 32 MiB).
                using (var writer = NwakuDatabaseWriter.Create(temp, targetSchema, outputPeerSchema, cacheMebibytes: 16, bulkLoad: true))
                {
                    progress?.Report(new ScanProgress("recovering rows", 0.2));
                    // Two cores: one reads, carves and validates while SQLite writes on the other.
                    messagesWritten = writer.InsertMessages(Prefetch(run.MessageRows(progress), 256, cancellationToken));
                    peersWritten = WritePeers(run, writer, outputPeerSchema);
                }

                if (options.IncludeDeleted)
                {
                    progress?.Report(new ScanProgress("verifying output", 0.9));
                    verified = Verify(temp, targetSchema, messagesWritten, outputPeerSchema, peersWritten);
                }
                else
                {
                    // Deleted rows only go to quarantine, so the output is complete: SQLite verifies it on one core
                    // while the other carves deleted rows (then both carve, see CarveInParallel).
                    var verifying = Task.Run(() => Verify(temp, targetSchema, messagesWritten, outputPeerSchema, peersWritten), cancellationToken);
                    try
                    {
                        foreach (var unexpected in run.DeletedRows(progress))
                        {
                            throw new InvalidOperationException("A deleted row was to be written without IncludeDeleted.");
                        }

                        // Peers found among deleted rows: quarantined, as excluded or as kept in peers.db.
                        WritePeers(run, writer: null, outputPeerSchema);
                    }
                    finally
                    {
                        // Never leave SQLite reading the output behind a failed pass.
                        BackgroundWork.WaitQuietly(verifying);
                    }

                    verified = verifying.GetAwaiter().GetResult();
                }
            }

            if (run.SqliteWitnessError is { } witnessError)
            {
                notes.Add(new Finding(Severity.Warning, FindingKind.SqliteCannotOpen, Location.Unknown, witnessError,
                    "SQLite itself could not read the whole table (read-only witness): nwaku would fail on this store; rows came from our reader and the carver."));
            }

            var inputs = hashing.GetAwaiter().GetResult();
            Commit(temp, Path.GetFullPath(options.OutputPath), options.Overwrite);
            Commit(quarantineTemp, quarantinePath, overwrite: true);
            progress?.Report(new ScanProgress("done", 1));
            _ = run.Map; // the page map's findings belong to the input's damage count
            return new RecoveryReport
            {
                Inputs = inputs,
                StartedAt = started,
                Seconds = clock.Elapsed.TotalSeconds,
                InputLayout = inputSchema.Id.ToString(),
                LayoutDetectedFrom = detectedFrom,
                InputUserVersion = db.Header.UserVersion,
                OutputPath = Path.GetFullPath(options.OutputPath),
                OutputLayout = targetSchema.Id.ToString(),
                OutputUserVersion = targetSchema.UserVersions[0],
                QuarantinePath = quarantinePath,
                MessagesWritten = messagesWritten,
                PeersWritten = peersWritten,
                QuarantinedRows = run.QuarantinedRows,
                QuarantinedLiveOrLost = run.QuarantinedLiveOrLost,
                InputDamageFindings = db.Findings.Count(f => f.Severity == SqliteFindingSeverity.Error),
                Candidates = run.Candidates,
                Counts = run.Counts(),
                UnprovenColumns = run.UnprovenColumns(),
                IndexDisagreements = run.IndexDisagreements,
                TextConverted = run.TextConverted,
                OutputVerified = verified,
                Notes = notes,
            };
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            foreach (string leftover in new[] { temp, quarantineTemp })
            {
                foreach (string suffix in new[] { "", "-wal", "-shm", "-journal" })
                {
                    File.Delete(leftover + suffix);
                }
            }
        }
    }

    /// <summary>
    /// Hands the valid peers found so far to <paramref name="writer"/> when the output keeps peers (deleted ones only
    /// with IncludeDeleted), else to quarantine; returns how many were written. Each peer is handled once.
    /// </summary>
    private static long WritePeers(RecoveryRun run, NwakuDatabaseWriter? writer, PeerTableSchema? outputPeerSchema)
    {
        if (outputPeerSchema is null)
        {
            run.DropPeers();
            return 0;
        }

        if (writer is not null)
        {
            return writer.InsertPeers(run.PeerRows());
        }

        foreach (var unexpected in run.PeerRows())
        {
            throw new InvalidOperationException("A deleted peer was to be written without IncludeDeleted.");
        }

        return 0;
    }

    /// <summary>
    /// Runs <paramref name="source"/> on a background thread, at most <paramref name="capacity"/> items ahead of
    /// the consumer; its exceptions surface in the consumer.
    /// </summary>
    private static IEnumerable<T> Prefetch<T>(IEnumerable<T> source, int capacity, CancellationToken cancellationToken)
    {
        using var queue = new System.Collections.Concurrent.BlockingCollection<T>(capacity);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = Task.Run(() =>
        {
            try
            {
                foreach (var item in source)
                {
                    queue.Add(item, stop.Token);
                }
            }
            finally
            {
                queue.CompleteAdding();
            }
        }, stop.Token);
        try
        {
            foreach (var item in queue.GetConsumingEnumerable(stop.Token))
            {
                yield return item;
            }

            producer.GetAwaiter().GetResult();
        }
        finally
        {
            // Consumer stopped early (or failed): release the producer, then wait for it to finish.
            stop.Cancel();
            try
            {
                producer.Wait(CancellationToken.None);
            }
            catch (AggregateException e) when (e.InnerExceptions.All(x => x is OperationCanceledException))
            {
            }
        }
    }

    /// <summary>The input's Message layout (schema table first, record shapes when it is lost) and Peer layout.</summary>
    private static (MessageTableSchema Schema, string From, PeerTableSchema? Peer) DetectLayouts(SqliteDatabase db, List<Finding> notes)
    {
        var detection = SchemaDetector.Detect(db.Header.UserVersion, db.Schema);
        notes.AddRange(detection.Findings.Where(f => f.Kind is FindingKind.V04LayoutUnderUserVersion2 or FindingKind.UserVersionZeroOverSchema7 or FindingKind.InterruptedMigration or FindingKind.RandomMessageHashesFromMigration8));
        var peer = detection.Peer is { IsExactMatch: true } p ? p.Schema : null;
        if (detection.MessageSchema is { } schema)
        {
            return (schema, "schema table", peer);
        }

        // The schema table is lost or foreign: vote over the records on the pages.
        var (best, bestPeer, records) = LayoutFromPages.Detect(db);
        if (best is null)
        {
            throw new InvalidDataException("No nwaku Message records found: neither the schema table nor the record shapes name a Message layout.");
        }

        notes.Add(new Finding(Severity.Warning, FindingKind.LayoutFromRecordShapes, Location.Unknown,
            $"{best.MatchedRecords} of {records} leaf records fit {((MessageTableSchema)best.Shape.Table).Id}",
            "The schema table does not name the Message layout; it was recognised from the records on the pages."));
        return ((MessageTableSchema)best.Shape.Table, "record shapes", peer ?? bestPeer?.Shape.Table as PeerTableSchema);
    }

    private static bool Verify(string path, MessageTableSchema schema, long messages, PeerTableSchema? peerSchema, long peers)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        // Written without a journal for speed; nwaku opens its store in WAL mode, recorded in the header.
        command.CommandText = "PRAGMA journal_mode = WAL";
        if (!string.Equals(command.ExecuteScalar() as string, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"SQLite refused WAL mode for {path}.");
        }

        command.CommandText = "PRAGMA integrity_check";
        bool ok = (command.ExecuteScalar() as string) == "ok";
        command.CommandText = $"SELECT count(*) FROM {schema.TableName}";
        ok &= (long)command.ExecuteScalar()! == messages;
        if (peerSchema is not null)
        {
            command.CommandText = $"SELECT count(*) FROM {peerSchema.TableName}";
            ok &= (long)command.ExecuteScalar()! == peers;
        }

        // Fold the WAL into the file so that the rename moves one self-contained file.
        command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
        command.ExecuteNonQuery();
        if (!ok)
        {
            throw new InvalidOperationException($"The rebuilt database {path} failed verification (integrity_check or row counts).");
        }

        return ok;
    }

    /// <summary>Flushes and renames: a reader of the output sees the old file or the whole new one, never half.</summary>
    private static void Commit(string temp, string final, bool overwrite)
    {
        SqliteConnection.ClearAllPools();
        using (var stream = new FileStream(temp, FileMode.Open, FileAccess.ReadWrite))
        {
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, final, overwrite);
        foreach (string suffix in new[] { "-wal", "-shm" })
        {
            File.Delete(temp + suffix);
        }
    }

    /// <summary>State of one recovery: the passes, the key fingerprints, the counters.</summary>
    private sealed class RecoveryRun(
        SqliteDatabase db,
        Task<PageMapping> mapping,
        MessageTableSchema schema,
        MessageTableSchema target,
        PeerTableSchema? peerSchema,
        RecoveryOptions options,
        CancellationToken cancellationToken)
    {
        // Key fingerprint -> fingerprint of the columns no key covers, to tell a duplicate from a conflicting copy.
        // Sized once, before the page map is ready, for a row per 2 KiB of file (1 GB S10 store: a row per 2.8 KiB), at most
        // 4M: growing a set of a million keys step by step leaves its earlier arrays as large-object garbage.
        private readonly Dictionary<UInt128, int> _claimed = new((int)Math.Min((long)db.FilePageCount * db.PageSize / 2048, 1 << 22));
        // The columns outside every key formula of the layout: a copy can differ there and still pass every check.
        private readonly int[] _unprovable = Enumerable.Range(0, schema.Columns.Count).Where(i => (MessageRowValidator.ProvableColumns(schema) & (1UL << i)) == 0).ToArray();
        private readonly Dictionary<ulong, string> _unprovenNames = new();
        private readonly long[] _unprovenCounts = new long[schema.Columns.Count];
        private Dictionary<UInt128, long>? _indexedTimes;
        private readonly Dictionary<(string Table, string Source, RowVerdict Verdict), long> _counts = new();
        private readonly List<(object?[] Row, string Source, RowState State, uint Page, int Offset, int WalFrame)> _peers = new();
        private readonly HashSet<UInt128> _peerKeys = new();
        private List<ICarveShape>? _shapes;
        private RecordCarver? _carver;

        public QuarantineWriter Quarantine { get; set; } = null!;
        public long QuarantinedRows { get; private set; }
        public long QuarantinedLiveOrLost { get; private set; }
        public long Candidates { get; private set; }
        public long IndexDisagreements { get; private set; }
        public long TextConverted { get; private set; }

        /// <summary>Bit i set: column i of <paramref name="row"/> holds TEXT.</summary>
        private static ulong TextColumns(object?[] row)
        {
            ulong bits = 0;
            for (int i = 0; i < row.Length; i++)
            {
                bits |= row[i] is string ? 1UL << i : 0;
            }

            return bits;
        }

        private bool _mapFindingsMerged;

        /// <summary>The page map: waits for it (only the passes after the live tree need it), and the first time hands
        /// what its walk met to this handle's findings, which keep each kind, page and offset once.</summary>
        public IReadOnlyList<PageInfo> Map
        {
            get
            {
                var done = mapping.GetAwaiter().GetResult();
                if (!_mapFindingsMerged)
                {
                    foreach (var finding in done.Findings)
                    {
                        db.Report(finding);
                    }

                    _mapFindingsMerged = true;
                }

                return done.Map;
            }
        }

        public IReadOnlyList<RecoveryCount> Counts() =>
            _counts.Select(c => new RecoveryCount(c.Key.Table, c.Key.Source, c.Key.Verdict, c.Value))
                .OrderBy(c => c.Table, StringComparer.Ordinal).ThenBy(c => c.Source, StringComparer.Ordinal).ThenBy(c => c.Verdict).ToList();

        private List<ICarveShape> Shapes => _shapes ??= CarveShapes.For(schema).Concat(peerSchema is null ? [] : CarveShapes.For(peerSchema)).ToList();

        private RecordCarver Carver => _carver ??= new RecordCarver(db, Shapes);

        /// <summary>
        /// Message rows to write, in target layout, streamed pass by pass: passes 1 and 2, and pass 3 (<see cref="DeletedRows"/>)
        /// only with <see cref="RecoveryOptions.IncludeDeleted"/>.
        /// </summary>
        public IEnumerable<object?[]> MessageRows(IProgress<ScanProgress>? progress)
        {
            _indexedTimes = IndexedReceiveTimes();

            // Pass 1: the live tree.
            var root = db.Schema.FirstOrDefault(o => o.Type == "table" && string.Equals(o.Name, schema.TableName, StringComparison.OrdinalIgnoreCase));
            if (root is { RootPage: > 0 } && root.Sql is not null && TableDefinition.TryParse(root.Sql, out var definition, out _))
            {
                foreach (var row in db.ReadRows(root.RootPage, definition!))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var values = row.Values.Length == schema.Columns.Count ? row.Values : schema.RecordToDeclaredOrder(row.Values);
                    if (Accept(values, "live b-tree", RowState.Live, row.Provenance.Page, row.Provenance.CellOffset, row.Provenance.WalFrame) is { } output)
                    {
                        yield return output;
                    }
                }
            }

            // Pass 1b: SQLite itself reads the table, read-only, an independent witness of pass 1: a row it
            // returns that our reader did not is taken (when valid) and shows in the counts under its own source.
            progress?.Report(new ScanProgress("sqlite witness", 0.3));
            if (root is { RootPage: > 0 })
            {
                foreach (var values in SqliteWitnessRows(root.Name))
                {
                    if (Accept(values, "sqlite witness", RowState.Live, 0, 0, -1) is { } output)
                    {
                        yield return output;
                    }
                }
            }

            var peerRoot = peerSchema is null ? null : db.Schema.FirstOrDefault(o => o.Type == "table" && string.Equals(o.Name, peerSchema.TableName, StringComparison.OrdinalIgnoreCase));
            if (peerRoot is { RootPage: > 0 } && peerRoot.Sql is not null && TableDefinition.TryParse(peerRoot.Sql, out var peerDefinition, out _))
            {
                foreach (var row in db.ReadRows(peerRoot.RootPage, peerDefinition!))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    AddPeer(row.Values, "live b-tree", RowState.Live, row.Provenance.Page, row.Provenance.CellOffset, row.Provenance.WalFrame);
                }
            }

            progress?.Report(new ScanProgress("carving lost rows", 0.4));
            var carver = Carver;

            // Pass 2: rows lost to damage, and rows of the transaction a torn WAL write left uncommitted (frames of
            // the current WAL generation after the last commit): nwaku inserts one message per transaction, and each
            // such row still proves itself by its key.
            var orphans = Map.Where(p => p.Kind == PageKind.Orphan).Select(p => p.Page);
            var frames = db.Wal?.Frames ?? [];
            var latestFrames = frames.Where(f => f.Committed && db.Wal!.FindCommittedFrame(f.PageNumber)?.Index == f.Index);
            var tornFrames = frames.Where(f => !f.Committed && f.SaltsMatch).OrderByDescending(f => f.Index);
            // Live pages the reader found damage on may hide cells behind a bad pointer or count: scan them whole.
            var damagedLive = db.Findings.Where(f => f.Severity == SqliteFindingSeverity.Error && f.Page != 0).Select(f => f.Page).Distinct()
                .Where(p => p <= Map.Count && Map[(int)p - 1].Kind is PageKind.TableLeaf or PageKind.IndexLeaf or PageKind.IndexInterior).ToList();
            var lost = carver.CarveFilePages(Map, orphans, CarveParts.Cells, cancellationToken)
                .Concat(carver.CarveFilePages(Map, damagedLive, CarveParts.WholePage, cancellationToken))
                .Concat(carver.CarveWalFrames(latestFrames, CarveParts.Cells, cancellationToken))
                .Concat(carver.CarveWalFrames(tornFrames, CarveParts.Cells, cancellationToken));
            foreach (var output in Consider(lost, RowState.Lost))
            {
                yield return output;
            }

            if (options.IncludeDeleted)
            {
                foreach (var output in DeletedRows(progress))
                {
                    yield return output;
                }
            }
        }

        /// <summary>
        /// Pass 3: deleted rows, newest first. Without <see cref="RecoveryOptions.IncludeDeleted"/> it yields nothing:
        /// every valid deleted row goes to quarantine.
        /// </summary>
        public IEnumerable<object?[]> DeletedRows(IProgress<ScanProgress>? progress)
        {
            progress?.Report(new ScanProgress("carving deleted rows", 0.6));
            var frames = db.Wal?.Frames ?? [];
            var latestFrames = frames.Where(f => f.Committed && db.Wal!.FindCommittedFrame(f.PageNumber)?.Index == f.Index);
            var tornFrames = frames.Where(f => !f.Committed && f.SaltsMatch).OrderByDescending(f => f.Index);
            var olderCommitted = frames.Where(f => f.Committed && db.Wal!.FindCommittedFrame(f.PageNumber)?.Index != f.Index).OrderByDescending(f => f.Index);
            // Cells of live and orphan pages were taken in passes 1 and 2; their free space is carved here. The file's
            // copies of freelist pages, and of pages a committed WAL frame replaced, are old versions: all of them.
            bool OldVersion(PageInfo p) => p.Kind is PageKind.FreelistLeaf or PageKind.FreelistTrunk || db.Wal?.FindCommittedFrame(p.Page) is not null;
            var carver = Carver;
            var deleted = carver.CarveWalFrames(olderCommitted, CarveParts.All, cancellationToken)
                .Concat(carver.CarveWalFrames(latestFrames, CarveParts.FreeSpace, cancellationToken))
                .Concat(carver.CarveFilePages(Map, Map.Where(OldVersion).Select(p => p.Page), CarveParts.All, cancellationToken))
                .Concat(CarveInParallel(Shapes, Map.Where(p => !OldVersion(p)).Select(p => p.Page).ToArray(), CarveParts.FreeSpace))
                .Concat(carver.CarveWalFrames(tornFrames, CarveParts.FreeSpace, cancellationToken))
                .Concat(carver.CarveWalFrames(frames.Where(f => !f.Committed && !f.SaltsMatch), CarveParts.All, cancellationToken))
                .Concat(carver.CarveJournal(cancellationToken));
            foreach (var output in Consider(deleted, RowState.Deleted))
            {
                yield return output;
            }
        }

        /// <summary>
        /// Carves <paramref name="pages"/> on two cores, chunk by chunk, each worker with its own carver (the reader
        /// only does positional reads), yielding in page order so that "first valid copy wins" stays deterministic.
        /// </summary>
        private IEnumerable<CarvedRecord> CarveInParallel(IReadOnlyList<ICarveShape> shapes, uint[] pages, CarveParts parts)
        {
            // Two chunks at a time: memory stays bounded by what two chunks hold, whatever the consumer's pace.
            const int ChunkPages = 256;
            var first = new RecordCarver(db, shapes);
            var second = new RecordCarver(db, shapes);
            for (int start = 0; start < pages.Length; start += 2 * ChunkPages)
            {
                var a = new ArraySegment<uint>(pages, start, Math.Min(ChunkPages, pages.Length - start));
                int secondStart = start + ChunkPages;
                var b = secondStart < pages.Length ? new ArraySegment<uint>(pages, secondStart, Math.Min(ChunkPages, pages.Length - secondStart)) : ArraySegment<uint>.Empty;
                var other = Task.Run(() => second.CarveFilePages(Map, b, parts, cancellationToken).ToList(), cancellationToken);
                var mine = first.CarveFilePages(Map, a, parts, cancellationToken).ToList();
                var theirs = other.GetAwaiter().GetResult();
                foreach (var record in mine.Concat(theirs))
                {
                    yield return record;
                }
            }
        }

        /// <summary>Why SQLite could not read the table, or null.</summary>
        public string? SqliteWitnessError { get; private set; }

        private IEnumerable<object?[]> SqliteWitnessRows(string table)
        {
            using var access = SqliteEvidenceAccess.Open(db.Path);
            using var connection = new SqliteConnection(access.ConnectionString);
            using var command = connection.CreateCommand();
            SqliteDataReader? reader = null;
            try
            {
                connection.Open();
                command.CommandText = $"SELECT * FROM \"{table.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
                reader = command.ExecuteReader();
            }
            catch (SqliteException e)
            {
                SqliteWitnessError = e.Message;
            }

            if (reader is null || reader.FieldCount != schema.Columns.Count)
            {
                reader?.Dispose();
                yield break;
            }

            using (reader)
            {
                while (true)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    object?[] values = new object?[reader.FieldCount];
                    try
                    {
                        if (!reader.Read())
                        {
                            break;
                        }

                        for (int i = 0; i < values.Length; i++)
                        {
                            values[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
                        }
                    }
                    catch (SqliteException e)
                    {
                        // "database disk image is malformed" part-way: what SQLite returned so far still counts.
                        SqliteWitnessError = e.Message;
                        break;
                    }

                    yield return values;
                }
            }
        }

        private IEnumerable<object?[]> Consider(IEnumerable<CarvedRecord> records, RowState state)
        {
            foreach (var record in records)
            {
                Candidates++;
                string source = SourceName(record);
                if (IsShapeOf(record, peerSchema))
                {
                    AddPeer(peerSchema!.RecordToDeclaredOrder(record.Values), source, state, record.Page, record.Offset, record.WalFrame);
                    continue;
                }

                if (!IsShapeOf(record, schema))
                {
                    continue; // an index entry or a stray match: not a row
                }

                if (Accept(schema.RecordToDeclaredOrder(record.Values), source, state, record.Page, record.Offset, record.WalFrame) is { } output)
                {
                    yield return output;
                }
            }
        }

        private static bool IsShapeOf(CarvedRecord record, TableSchema? table) =>
            table is not null && (record.Shape is not null
                ? string.Equals(record.Shape.Name, table.TableName, StringComparison.Ordinal)
                : RecordShapeDetector.AllShapes.Any(s => s.Table == table && s.IndexName is null && RecordShapeDetector.Fits(s, record.SerialTypes)));

        private static string SourceName(CarvedRecord record) => record.Source switch
        {
            CarveSource.WalFrame => record.WalCommitted ? "wal frame (committed)" : "wal frame (uncommitted)",
            var s => s switch
            {
                CarveSource.LiveCell => "live cell",
                CarveSource.OrphanCell => "orphan page",
                CarveSource.FreelistCell => "freelist page",
                CarveSource.Freeblock => "freeblock",
                CarveSource.SupersededCell => "page replaced by wal",
                CarveSource.Unallocated => "unallocated space",
                CarveSource.DamagedPage => "damaged page",
                _ => "journal image",
            },
        };

        /// <summary>Validates one candidate; returns the row to write, or null (duplicate, conflicting, quarantined, excluded).</summary>
        private object?[]? Accept(object?[] row, string source, RowState state, uint page, int offset, int walFrame)
        {
            var key = schema.KeyFingerprint(row);
            int rest = UnprovableFingerprint(row);
            bool conflicting = false;
            if (_claimed.TryGetValue(key, out int claimed))
            {
                if (claimed == rest)
                {
                    Count("message", source, RowVerdict.Duplicate);
                    return null;
                }

                conflicting = true;
            }

            var where = new Location(Page: page, Offset: offset);
            var verification = MessageRowValidator.Verify(schema, row, options.Validation, where);
            var errors = verification.Findings.Where(f => f.Severity == Severity.Error).ToList();
            string? converted = null;
            if (options.TextAsBlob && errors.Count > 0 && errors.All(e => e.Kind == FindingKind.TextInBlobColumn))
            {
                // Only the storage class was wrong: the same UTF-8 bytes as BLOBs, kept only if the key then proves them.
                var asBlob = row.Select(v => v is string text ? (object?)Encoding.UTF8.GetBytes(text) : v).ToArray();
                var again = MessageRowValidator.Verify(schema, asBlob, options.Validation, where);
                if (!again.Findings.Any(f => f.Severity == Severity.Error) && (again.ProvenColumns & TextColumns(row)) == TextColumns(row))
                {
                    converted = string.Join(", ", errors.Select(e => e.Location.Column).Distinct());
                    (row, verification, errors) = (asBlob, again, []);
                }
            }

            if (errors.Count > 0)
            {
                Quarantine.Add("message", row, schema, string.Join("; ", errors.Select(e => $"{e.Kind}: {e.Evidence}")), state, source, page, offset, walFrame);
                QuarantinedRows++;
                QuarantinedLiveOrLost += state == RowState.Deleted ? 0 : 1;
                Count("message", source, RowVerdict.Quarantined);
                return null;
            }

            if (conflicting)
            {
                string columns = string.Join(", ", _unprovable.Select(i => schema.Columns[i].Name));
                Quarantine.Add("message", row, schema, state == RowState.Deleted
                    ? $"conflicting copy: an older (deleted or superseded) copy of a written row with other values in {columns}, which no key covers: the message was deleted and stored again, or one copy is damaged"
                    : $"conflicting copy: a row with this key is already written, with other values in {columns}, which no key covers: one copy is damaged (the one from the better source was kept)",
                    state, source, page, offset, walFrame);
                QuarantinedRows++;
                Count("message", source, RowVerdict.Conflicting);
                return null;
            }

            _claimed.Add(key, rest);
            string? disagreement = IndexDisagreement(key, row);
            if (disagreement is not null && !(state == RowState.Deleted && !options.IncludeDeleted))
            {
                // Written all the same (its key proves every other column), but never silently: the post-mortem finds it.
                Quarantine.Add("message", row, schema, $"written, but {disagreement}", state, source, page, offset, walFrame);
                IndexDisagreements++;
            }

            if (state == RowState.Deleted && !options.IncludeDeleted)
            {
                Quarantine.Add("message", row, schema, "deleted row (valid); written only with --include-deleted", state, source, page, offset, walFrame);
                QuarantinedRows++;
                Count("message", source, RowVerdict.DeletedExcluded);
                return null;
            }

            if (converted is not null)
            {
                Quarantine.Add("message", row, schema, $"written, but {converted} stored as TEXT in the file, written as BLOB (--text-as-blob); the key proves the bytes", state, source, page, offset, walFrame);
                TextConverted++;
            }

            Count("message", source, RowVerdict.Written);
            var output = target.Id == schema.Id ? row : MessageConversion.Convert(row, schema, target);
            Quarantine.AddProvenance("message", MessageRowValidator.FormatKey(target, output), state, source, page, offset, walFrame, Unproven(verification.ProvenColumns));
            return output;
        }

        /// <summary>
        /// The receive time (<c>storedAt</c>) no key covers has independent copies where the layout's indexes hold it and
        /// the primary key is the message hash (S8, S9: <c>i_ts</c> and <c>i_query</c> end in the messageHash): read from
        /// the live index b-trees, keyed like the rows. Two index copies that disagree with each other are left out.
        /// </summary>
        private Dictionary<UInt128, long>? IndexedReceiveTimes()
        {
            int time = schema.IndexOf(ColumnRole.ReceiveTime);
            if (time < 0 || schema.PrimaryKey.Count != 1 || schema.IndexOf(schema.PrimaryKey[0]) != schema.IndexOf(ColumnRole.MessageHash))
            {
                return null;
            }

            var times = new Dictionary<UInt128, long>();
            var ambiguous = new HashSet<UInt128>();
            foreach (var index in schema.Indexes.Where(i => i.Columns.Contains(schema.Columns[time].Name)))
            {
                if (db.Schema.FirstOrDefault(o => o.Type == "index" && string.Equals(o.Name, index.Name, StringComparison.OrdinalIgnoreCase)) is not { RootPage: > 0 } entry)
                {
                    continue;
                }

                int at = index.Columns.ToList().IndexOf(schema.Columns[time].Name);
                var keyRow = new object?[schema.Columns.Count];
                int keyColumn = schema.IndexOf(ColumnRole.MessageHash);
                foreach (var record in db.ReadRecords(entry.RootPage))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    // An index entry: the indexed columns, then the table's primary key.
                    if (record.Values.Length != index.Columns.Count + 1 || record.Values[at] is not long stored || record.Values[^1] is not byte[] { Length: 32 } hash)
                    {
                        continue;
                    }

                    keyRow[keyColumn] = hash;
                    var key = schema.KeyFingerprint(keyRow);
                    if (times.TryGetValue(key, out long other) && other != stored)
                    {
                        ambiguous.Add(key);
                    }

                    times[key] = stored;
                }
            }

            foreach (var key in ambiguous)
            {
                times.Remove(key);
            }

            return times.Count > 0 ? times : null;
        }

        /// <summary>Why the row's receive time disagrees with its index copies, or null.</summary>
        private string? IndexDisagreement(UInt128 key, object?[] row)
        {
            if (_indexedTimes is null || !_indexedTimes.TryGetValue(key, out long indexed))
            {
                return null;
            }

            int time = schema.IndexOf(ColumnRole.ReceiveTime);
            return row[time] is long stored && stored == indexed
                ? null
                : $"its {schema.Columns[time].Name} {row[time]} disagrees with the index entries of its key ({indexed}): one copy is damaged";
        }

        public IReadOnlyDictionary<string, long> UnprovenColumns() =>
            schema.Columns.Select((c, i) => (c.Name, Count: _unprovenCounts[i])).Where(t => t.Count > 0).ToDictionary(t => t.Name, t => t.Count);

        /// <summary>The names of the columns no matching key proves, comma-separated (one string per distinct set).</summary>
        private string Unproven(ulong proven)
        {
            for (int i = 0; i < _unprovenCounts.Length; i++)
            {
                _unprovenCounts[i] += (proven & (1UL << i)) == 0 ? 1 : 0;
            }

            if (!_unprovenNames.TryGetValue(proven, out var names))
            {
                names = string.Join(",", schema.Columns.Where((_, i) => (proven & (1UL << i)) == 0).Select(c => c.Name));
                _unprovenNames[proven] = names;
            }

            return names;
        }

        /// <summary>32 bits of the values in the columns no key covers (a handful of small values per row).</summary>
        private int UnprovableFingerprint(object?[] row)
        {
            var hash = new HashCode();
            foreach (int i in _unprovable)
            {
                switch (i < row.Length ? row[i] : null)
                {
                    case byte[] b:
                        hash.AddBytes(b);
                        break;
                    case string text:
                        hash.AddBytes(Encoding.UTF8.GetBytes(text));
                        break;
                    case var value:
                        hash.Add(value);
                        break;
                }

                hash.Add(i);
            }

            return hash.ToHashCode();
        }

        /// <summary>
        /// Validates one peer candidate (peer ID, storedInfo of its era, key, addresses, connectedness, times); a valid
        /// one claims its peer ID and waits for <see cref="PeerRows"/> or <see cref="DropPeers"/>, an invalid one goes to
        /// quarantine without claiming it, so a later valid copy can.
        /// </summary>
        private void AddPeer(object?[] row, string source, RowState state, uint page, int offset, int walFrame)
        {
            var key = peerSchema!.KeyFingerprint(row);
            if (_peerKeys.Contains(key))
            {
                Count("peer", source, RowVerdict.Duplicate);
                return;
            }

            var where = new Location(Page: page, Offset: offset);
            var errors = PeerRowValidator.Validate(peerSchema!, row, options.Validation, where).Where(f => f.Severity == Severity.Error).ToList();
            if (errors.Count > 0)
            {
                Quarantine.Add("peer", row, peerSchema!, string.Join("; ", errors.Select(e => $"{e.Kind}: {e.Evidence}")), state, source, page, offset, walFrame);
                QuarantinedRows++;
                QuarantinedLiveOrLost += state == RowState.Deleted ? 0 : 1;
                Count("peer", source, RowVerdict.Quarantined);
                return;
            }

            _peerKeys.Add(key);
            _peers.Add((row, source, state, page, offset, walFrame));
        }

        private string? _peerUnproven;

        /// <summary>Valid peers to write; deleted ones only with <see cref="RecoveryOptions.IncludeDeleted"/>.</summary>
        public IEnumerable<object?[]> PeerRows()
        {
            foreach (var (row, source, state, page, offset, walFrame) in TakePeers())
            {
                if (state == RowState.Deleted && !options.IncludeDeleted)
                {
                    Quarantine.Add("peer", row, peerSchema!, "deleted row (valid); written only with --include-deleted", state, source, page, offset, walFrame);
                    QuarantinedRows++;
                    Count("peer", source, RowVerdict.DeletedExcluded);
                    continue;
                }

                Count("peer", source, RowVerdict.Written);
                // No key covers a peer's addresses, protocols or times (its public key is checked against the peer ID).
                _peerUnproven ??= string.Join(",", peerSchema!.Columns.Where(c => c.Role != ColumnRole.PeerId).Select(c => c.Name));
                Quarantine.AddProvenance("peer", MessageRowValidator.FormatKey(peerSchema!, row), state, source, page, offset, walFrame, _peerUnproven);
                yield return row;
            }
        }

        /// <summary>The target layout keeps peers in another file: every valid recovered peer goes to quarantine.</summary>
        public void DropPeers()
        {
            foreach (var (row, source, state, page, offset, walFrame) in TakePeers())
            {
                Quarantine.Add("peer", row, peerSchema!, "the target layout keeps peers in peers.db; not written", state, source, page, offset, walFrame);
                QuarantinedRows++;
                Count("peer", source, RowVerdict.Quarantined);
            }
        }

        /// <summary>The valid peers found since the last call: pass 3 finds more after the others were written.</summary>
        private List<(object?[] Row, string Source, RowState State, uint Page, int Offset, int WalFrame)> TakePeers()
        {
            var taken = _peers.ToList();
            _peers.Clear();
            return taken;
        }

        private void Count(string table, string source, RowVerdict verdict) =>
            _counts[(table, source, verdict)] = _counts.GetValueOrDefault((table, source, verdict)) + 1;
    }
}

/// <summary>
/// The SQLite file beside the output: <c>quarantine</c> holds rejected and excluded rows with their reason,
/// <c>provenance</c> where every written row was found.
/// </summary>
internal sealed class QuarantineWriter : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SqliteTransaction _transaction;
    private readonly PositionalStatement _insert;
    private readonly PositionalStatement _provenance;
    // One provenance row per written row: bound from one array, not a new one each time.
    private readonly object?[] _provenanceValues = new object?[8];

    public QuarantineWriter(string path)
    {
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString());
        _connection.Open();
        using (var create = _connection.CreateCommand())
        {
            create.CommandText = "CREATE TABLE quarantine (tbl TEXT NOT NULL, reason TEXT NOT NULL, state TEXT NOT NULL, source TEXT NOT NULL, page INTEGER, cell_offset INTEGER, wal_frame INTEGER, layout TEXT NOT NULL, row_json TEXT NOT NULL);" +
                "CREATE TABLE provenance (tbl TEXT NOT NULL, row_key TEXT NOT NULL, state TEXT NOT NULL, source TEXT NOT NULL, page INTEGER, cell_offset INTEGER, wal_frame INTEGER, unproven TEXT)";
            create.ExecuteNonQuery();
        }

        _transaction = _connection.BeginTransaction();
        _insert = new PositionalStatement(_connection, "INSERT INTO quarantine VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
        _provenance = new PositionalStatement(_connection, "INSERT INTO provenance VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    }

    /// <summary>
    /// Where a written row was found: its key (as <c>Finding.Location.Key</c>), state, source, page, offset and WAL frame,
    /// and (Message rows) the columns of the input layout no matching key proves.
    /// </summary>
    public void AddProvenance(string table, string key, RowState state, string source, uint page, int offset, int walFrame, string? unproven = null)
    {
        var values = _provenanceValues;
        values[0] = table;
        values[1] = key;
        values[2] = state.ToString();
        values[3] = source;
        values[4] = page == 0 ? null : (long)page;
        values[5] = page == 0 ? null : (long)offset;
        values[6] = walFrame < 0 ? null : (long)walFrame;
        values[7] = unproven;
        _provenance.Execute(values);
    }

    public void Add(string table, object?[] row, TableSchema schema, string reason, RowState state, string source, uint page, int offset, int walFrame)
    {
        var json = new Dictionary<string, object?>();
        for (int i = 0; i < row.Length && i < schema.Columns.Count; i++)
        {
            json[schema.Columns[i].Name] = row[i] is byte[] b ? "x'" + Convert.ToHexStringLower(b) + "'" : row[i];
        }

        _insert.Execute([
            table,
            reason,
            state.ToString(),
            source,
            page == 0 ? null : (long)page,
            page == 0 ? null : (long)offset,
            walFrame < 0 ? null : (long)walFrame,
            schema is MessageTableSchema m ? m.Id.ToString() : ((PeerTableSchema)schema).Id.ToString(),
            JsonSerializer.Serialize(json),
        ]);
    }

    public void Dispose()
    {
        _transaction.Commit();
        _insert.Dispose();
        _provenance.Dispose();
        _transaction.Dispose();
        _connection.Dispose();
    }
}
