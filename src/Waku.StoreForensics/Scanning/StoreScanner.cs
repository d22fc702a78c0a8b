using System.Diagnostics;
using System.Security.Cryptography;
using Waku.StoreForensics.Schema;
using Waku.StoreForensics.Sqlite;
using Waku.StoreForensics.Validation;

namespace Waku.StoreForensics.Scanning;

/// <summary>
/// The scan pipeline: hashes the evidence, reads every page with our reader (page-level findings), recognises
/// the nwaku layout (from the schema table, or from record shapes when it is lost), validates every Message
/// row and every Peer row, runs SQLite's own integrity_check on a private copy, and merges everything into one report.
/// Never writes to the input or its sidecar files.
/// </summary>
public static class StoreScanner
{
    /// <summary>Scans the store at <paramref name="path"/>.</summary>
    public static ScanReport Scan(string path, ScanOptions? options = null, IProgress<ScanProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new ScanOptions();
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var findings = new FindingCollector(options.MaxFindingsPerKind);

        progress?.Report(new ScanProgress("reading pages", 0));
        // The evidence hash and SQLite's integrity_check (its own read of the file) run on the other core while our
        // reader maps and validates on this one; both only read.
        var background = Task.Run(() => (Inputs: HashEvidence(path, cancellationToken),
            Check: options.RunIntegrityCheck ? IntegrityCheck.Run(path, cancellationToken: cancellationToken) : null), cancellationToken);
        try
        {
            return Read(path, options, progress, findings, background, started, clock, cancellationToken);
        }
        finally
        {
            BackgroundWork.WaitQuietly(background);
        }
    }

    private static ScanReport Read(string path, ScanOptions options, IProgress<ScanProgress>? progress, FindingCollector findings,
        Task<(IReadOnlyList<EvidenceFile> Inputs, IntegrityCheckResult? Check)> background, DateTimeOffset started, Stopwatch clock, CancellationToken cancellationToken)
    {
        using var db = SqliteDatabase.Open(path);
        db.MapPages(new Progress<double>(f => progress?.Report(new ScanProgress("reading pages", 0.4 * f))), cancellationToken);

        var detection = SchemaDetector.Detect(db.Header.UserVersion, db.Schema);
        foreach (var f in detection.Findings)
        {
            findings.Add(f);
        }

        string? layout = detection.MessageSchema?.Id.ToString();
        bool schemaTableDamaged = db.Findings.Any(f => f.Kind is SqliteFindingKind.SchemaInvalid or SqliteFindingKind.HeaderMagicInvalid
            || (f.Kind is SqliteFindingKind.PageTypeInvalid or SqliteFindingKind.CellOutOfBounds && f.Page == 1));
        if (detection.Message is null && schemaTableDamaged)
        {
            layout = DetectFromShapes(db, findings) ?? layout;
        }

        long rows = 0;
        if (detection.MessageSchema is { } schema && detection.Message is { } match && db.FindObject(match.TableName) is { RootPage: > 0 } entry)
        {
            progress?.Report(new ScanProgress("validating rows", 0.5));
            var definition = db.GetTableDefinition(entry.Name);
            foreach (var row in db.ReadRows(entry.RootPage, definition))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var where = new Location(Page: row.Provenance.Page, Offset: row.Provenance.CellOffset);
                foreach (var f in MessageRowValidator.Validate(schema, row.Values, options.Validation, where))
                {
                    findings.Add(f);
                }

                rows++;
            }
        }

        // The Peer table of this file: store.sqlite3 up to v0.12, peers.db from v0.13 (scan whichever file is given).
        long peerRows = 0;
        if (detection.Peer is { IsExactMatch: true, Schema: { } peerSchema } peerMatch && db.FindObject(peerMatch.TableName) is { RootPage: > 0 } peerEntry)
        {
            progress?.Report(new ScanProgress("validating peer rows", 0.75));
            var definition = db.GetTableDefinition(peerEntry.Name);
            foreach (var row in db.ReadRows(peerEntry.RootPage, definition))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var where = new Location(Page: row.Provenance.Page, Offset: row.Provenance.CellOffset);
                foreach (var f in PeerRowValidator.Validate(peerSchema, row.Values, options.Validation, where))
                {
                    findings.Add(f);
                }

                peerRows++;
            }
        }

        foreach (var f in db.Findings)
        {
            findings.Add(ToFinding(f));
        }

        string integrity = "skipped";
        progress?.Report(new ScanProgress(options.RunIntegrityCheck ? "SQLite integrity_check" : "hashing evidence", 0.8));
        var (inputs, check) = background.GetAwaiter().GetResult();
        if (check is not null)
        {
            integrity = !check.Ran ? "could not run" : check.Ok ? "ok" : "damaged";
            if (!check.Ran)
            {
                findings.Add(new Finding(Severity.Error, FindingKind.SqliteCannotOpen, Location.Unknown, check.Error ?? "", "SQLite itself refuses the file: nwaku would fail to open its store."));
            }

            foreach (var problem in check.Problems)
            {
                findings.Add(ToFinding(problem));
            }
        }

        progress?.Report(new ScanProgress("done", 1));
        var kept = findings.Sorted();
        return new ScanReport
        {
            Inputs = inputs,
            StartedAt = started,
            Seconds = clock.Elapsed.TotalSeconds,
            PageSize = db.PageSize,
            PageCount = db.PageCount,
            UserVersion = db.Header.UserVersion,
            MessageLayout = layout,
            PeerLayout = detection.Peer is { IsExactMatch: true } p ? p.Schema!.Id.ToString() : null,
            MessageRowsRead = rows,
            PeerRowsRead = peerRows,
            IntegrityCheck = integrity,
            Counts = findings.Counts,
            Findings = kept,
        };
    }

    /// <summary>SHA-256 of the database and every sidecar file present.</summary>
    public static IReadOnlyList<EvidenceFile> HashEvidence(string path, CancellationToken cancellationToken = default)
    {
        var files = new List<EvidenceFile>();
        foreach (string file in new[] { path, path + "-wal", path + "-journal", path + "-shm" })
        {
            if (!File.Exists(file))
            {
                continue;
            }

            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 20);
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            byte[] chunk = new byte[1 << 20];
            for (int read; (read = stream.Read(chunk)) > 0;)
            {
                // Checked per MiB: a cancelled command must not wait for a gigabyte to be hashed.
                cancellationToken.ThrowIfCancellationRequested();
                sha.AppendData(chunk, 0, read);
            }

            byte[] hash = sha.GetHashAndReset();
            files.Add(new EvidenceFile(Path.GetFullPath(file), stream.Length, Convert.ToHexStringLower(hash)));
        }

        return files;
    }

    private static string? DetectFromShapes(SqliteDatabase db, FindingCollector findings)
    {
        var (best, _, records) = LayoutFromPages.Detect(db);
        if (best is null)
        {
            return null;
        }

        var schema = (MessageTableSchema)best.Shape.Table;
        findings.Add(new Finding(Severity.Warning, FindingKind.LayoutFromRecordShapes, Location.Unknown,
            $"{best.MatchedRecords} of {records} records on leaf pages fit {schema.Id}",
            $"The schema table is unreadable; the records on the pages have the shape of nwaku layout {schema.Id} ({schema.Releases})."));
        return schema.Id.ToString();
    }

    /// <summary>Carries a reader finding over, with its page and offset, and explains its kind.</summary>
    internal static Finding ToFinding(SqliteFinding f)
    {
        var kind = Enum.Parse<FindingKind>(f.Kind.ToString());
        var severity = f.Severity switch
        {
            SqliteFindingSeverity.Error => Severity.Error,
            SqliteFindingSeverity.Warning => Severity.Warning,
            _ => Severity.Info,
        };
        var location = f.Page == 0 ? new Location(Offset: f.Offset) : new Location(Page: f.Page, Offset: f.Offset);
        return new Finding(severity, kind, location, f.Message, Explain(f.Kind));
    }

    private static string Explain(SqliteFindingKind kind) => kind switch
    {
        SqliteFindingKind.FileTruncated => "The file is shorter than the database it describes: pages past the end are lost.",
        SqliteFindingKind.HeaderSizeMismatch => "The header's page count disagrees with the file size: truncated, or extended without a header update.",
        SqliteFindingKind.HeaderMagicInvalid or SqliteFindingKind.HeaderPageSizeInvalid or SqliteFindingKind.HeaderFieldOutOfSpec => "The 100-byte database header is damaged; SQLite may refuse the whole file.",
        SqliteFindingKind.PageTypeInvalid => "A b-tree points to a page that is not a b-tree page (zeroed or overwritten): every row below it is unreachable through SQL.",
        SqliteFindingKind.PageNumberOutOfRange => "A pointer names a page outside the file: the subtree or chain behind it is lost to SQL.",
        SqliteFindingKind.BTreeCycle => "A b-tree page is reached twice: the tree loops or is cross-linked; SQL may return rows twice or fail.",
        SqliteFindingKind.OverflowChainBroken or SqliteFindingKind.OverflowChainCycle => "A large row's overflow chain is broken: that row cannot be read in full.",
        SqliteFindingKind.FreelistInvalid or SqliteFindingKind.FreelistCountMismatch => "The freelist is damaged: SQLite may hand out a page still in use and corrupt a table on the next write.",
        SqliteFindingKind.OrphanPage => "A page nothing references: data lost from a tree, or leaked space; its cells can still be carved.",
        SqliteFindingKind.PageClaimedTwice => "Two structures claim the same page: writing to one will corrupt the other.",
        SqliteFindingKind.WalFramesInvalid => "WAL frames after the last valid commit (torn write or stale generation): their changes are not part of the database.",
        SqliteFindingKind.WalHeaderInvalid => "The WAL header is damaged: SQLite ignores every frame in it, losing committed changes not yet checkpointed.",
        SqliteFindingKind.HotJournal => "A hot rollback journal: an interrupted transaction that SQLite will roll back on the next open.",
        SqliteFindingKind.SchemaInvalid => "The schema table (page 1) is damaged: SQLite cannot find the tables.",
        _ => "File-format damage found by the page reader.",
    };

    private static Finding ToFinding(IntegrityProblem problem)
    {
        var location = new Location(Page: problem.Page, Table: problem.Index);
        return problem.Kind switch
        {
            IntegrityProblemKind.IndexTableMismatch => new Finding(Severity.Error, FindingKind.IndexTableMismatch, location, problem.Message,
                $"Index {problem.Index} disagrees with its table: queries that use it return rows the table does not hold or miss rows it does (the July 2021 \"select returns unexpected rows\" symptom); REINDEX {problem.Index} after recovery."),
            IntegrityProblemKind.ConstraintViolation => new Finding(Severity.Error, FindingKind.IntegrityConstraintViolation, location, problem.Message, "A stored row breaks a NOT NULL or CHECK constraint of its table."),
            IntegrityProblemKind.PageStructure => new Finding(Severity.Error, FindingKind.IntegrityPageStructure, location, problem.Message, "SQLite's integrity_check found b-tree or page accounting damage."),
            _ => new Finding(Severity.Error, FindingKind.IntegrityOther, location, problem.Message, "SQLite's integrity_check reported a problem."),
        };
    }

    /// <summary>Keeps at most N findings per kind, counts all of them, and sorts worst first.</summary>
    private sealed class FindingCollector(int maxPerKind)
    {
        private readonly Dictionary<FindingKind, int> _counts = new();
        private readonly List<Finding> _kept = new();

        public IReadOnlyDictionary<FindingKind, int> Counts => _counts;

        public void Add(Finding finding)
        {
            int n = _counts.GetValueOrDefault(finding.Kind);
            _counts[finding.Kind] = n + 1;
            if (n < maxPerKind)
            {
                _kept.Add(finding);
            }
        }

        public IReadOnlyList<Finding> Sorted() =>
            _kept.OrderByDescending(f => f.Severity).ThenBy(f => f.Kind).ThenBy(f => f.Location.Page ?? 0).ToList();
    }
}
