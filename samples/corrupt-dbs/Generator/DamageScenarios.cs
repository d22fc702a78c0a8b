using System.Buffers.Binary;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Waku.StoreForensics.Schema;
using Waku.StoreForensics.Sqlite;
using Waku.StoreForensics.Validation;

namespace Waku.StoreForensics.SampleGenerator;

/// <summary>
/// Named, seeded damage scenarios. Each one generates a healthy store (<see cref="SampleStoreGenerator"/>),
/// changes it the way the scenario says — SQL first (retention deletes, semantic updates, WAL-only inserts), then
/// bytes — and writes <c>scenario.json</c> (<see cref="ScenarioManifest"/>) with the rows written, deleted and
/// still intact, and the finding kinds <c>scan</c> must report.
/// </summary>
public static class DamageScenarios
{
    /// <summary>A scenario: its SQL stage (run on the healthy store) and its byte stage (run on the copy).</summary>
    /// <param name="Name">Scenario name.</param>
    /// <param name="Description">What it does, in one sentence.</param>
    /// <param name="ExpectedFindings">Kinds <c>scan</c> must report.</param>
    /// <param name="ChangeWithSql">What nwaku (or anyone with SQL) does to the store first, or null.</param>
    /// <param name="DamageBytes">The byte damage applied to the copy, or null.</param>
    /// <param name="CopyWhileWriterOpen">Copy db and -wal while the writer still holds them, without a checkpoint.</param>
    private sealed record Definition(
        string Name,
        string Description,
        FindingKind[] ExpectedFindings,
        Action<ScenarioBuilder, SqliteConnection>? ChangeWithSql = null,
        Action<ScenarioBuilder, Snapshot>? DamageBytes = null,
        bool CopyWhileWriterOpen = false)
    {
        /// <summary>Layouts the scenario cannot apply to: v0.4 (S1) and older have no secondary index to damage.</summary>
        public bool AppliesTo(MessageSchemaId layout) =>
            Name != "index-damage" || NwakuSchemaCatalog.Get(layout).Indexes.Any(i => i.Name == "i_ts" && i.IsCreatedAtStart);
    }

    private static readonly Definition[] Definitions =
    [
        new("truncated", "The database file loses its last 40% of pages, as after a full disk or an interrupted copy.",
            [FindingKind.FileTruncated],
            DamageBytes: (b, live) => b.TruncateLastPages(live, 0.4)),
        new("zeroed-interior-page", "An interior page of the Message b-tree (not its root) is overwritten with zeros: its whole subtree is cut off.",
            [FindingKind.PageTypeInvalid, FindingKind.OrphanPage],
            DamageBytes: (b, live) => b.ZeroInteriorPage(live)),
        new("bit-flips", "Single bits flip inside the payloads of a few rows (bad RAM, bad sectors); every page stays well-formed.",
            [FindingKind.KeyMismatch],
            DamageBytes: (b, live) => b.FlipPayloadBits(live, 6, [])),
        new("damaged-header", "The 16-byte magic string of the database header is overwritten.",
            [FindingKind.HeaderMagicInvalid, FindingKind.SqliteCannotOpen],
            DamageBytes: (b, _) => b.ZeroHeaderMagic()),
        new("root-page-destroyed", "The Message table's root page is overwritten with random bytes: every row is cut off from the tree.",
            [FindingKind.PageTypeInvalid, FindingKind.OrphanPage],
            DamageBytes: (b, live) => b.DestroyRootPage(live)),
        new("index-damage", "Timestamps in a few i_ts index entries change: the index disagrees with the table, which is untouched.",
            [FindingKind.IndexTableMismatch],
            DamageBytes: (b, live) => b.DamageTimestampIndex(live, 5)),
        new("freelist-damage", "After retention deletes filled the freelist, the first freelist trunk page points past the end of the file.",
            [FindingKind.FreelistInvalid],
            ChangeWithSql: (b, c) => b.DeleteOldest(c, 0.5),
            DamageBytes: (b, live) => b.PointFreelistTrunkPastTheEnd(live)),
        new("broken-overflow-chain", "The first overflow page of a large row loses its next-page pointer: the chain ends early.",
            [FindingKind.OverflowChainBroken],
            DamageBytes: (b, live) => b.BreakOverflowChain(live, [])),
        new("wal-only-rows", "A third more rows are committed to the WAL while the node still runs; the copy holds them only in the -wal file.",
            [],
            ChangeWithSql: (b, c) => b.InsertIntoWal(c, transactions: 1),
            CopyWhileWriterOpen: true),
        new("torn-wal-tail", "Two transactions sit in the WAL; the copy of the -wal ends in the middle of the last frame.",
            [FindingKind.WalFramesInvalid],
            ChangeWithSql: (b, c) => b.InsertIntoWal(c, transactions: 2),
            DamageBytes: (b, live) => b.TearLastWalFrame(live),
            CopyWhileWriterOpen: true),
        new("deleted-rows", "nwaku's retention deletes the oldest 30% of messages; nothing is damaged, deleted rows linger in free space.",
            [],
            ChangeWithSql: (b, c) => b.DeleteOldest(c, 0.3)),
        new("semantic-damage", "SQL updates write wrong keys, garbled content topics and far-future timestamps into a few rows, and cut one peer's storedInfo short where the Peer table shares the file (v0.3–v0.12).",
            [FindingKind.KeyMismatch, FindingKind.TopicGarbled, FindingKind.TimestampImplausible],
            ChangeWithSql: (b, c) =>
            {
                b.AlterKeys(c, 3);
                b.GarbleContentTopics(c, 3);
                b.SetFarFutureTimestamps(c, 3);
                b.TruncateStoredInfo(c);
            }),
        new("mixed", "Retention deletes, two wrong keys, a zeroed page, payload bit flips and a broken overflow chain in one file.",
            [FindingKind.KeyMismatch, FindingKind.PageTypeInvalid, FindingKind.OverflowChainBroken],
            ChangeWithSql: (b, c) =>
            {
                b.DeleteOldest(c, 0.2);
                b.AlterKeys(c, 2);
            },
            DamageBytes: (b, live) =>
            {
                var avoid = new HashSet<uint> { b.ZeroMiddleLeafPage(live) };
                b.FlipPayloadBits(live, 3, avoid);
                b.BreakOverflowChain(live, avoid);
            }),
    ];

    /// <summary>Every scenario name, in a stable order.</summary>
    public static IReadOnlyList<string> Names { get; } = Definitions.Select(d => d.Name).ToArray();

    /// <summary>
    /// False when scenario <paramref name="name"/> cannot be built on <paramref name="layout"/>: <c>index-damage</c> needs the
    /// <c>i_ts</c> index, which v0.4 (S1, a WITHOUT ROWID table keyed by its only indexed column) never had.
    /// </summary>
    public static bool AppliesTo(string name, MessageSchemaId layout) => Find(name).AppliesTo(layout);

    /// <summary>The one-sentence description of scenario <paramref name="name"/>.</summary>
    public static string Describe(string name) => Find(name).Description;

    /// <summary>The folder name used for committed samples and the generator CLI: <c>&lt;scenario&gt;-v0.4</c> or <c>&lt;scenario&gt;-v0.37</c>.</summary>
    public static string FolderName(string scenario, MessageSchemaId layout) =>
        $"{scenario}-{(layout == MessageSchemaId.S1 ? "v0.4" : layout == MessageSchemaId.S10 ? "v0.37" : layout.ToString())}";

    /// <summary>
    /// Writes scenario <paramref name="name"/> into <paramref name="directory"/> (created if needed; earlier store files
    /// there are replaced): <c>store.sqlite3</c>, its <c>-wal</c> when the scenario keeps one, <c>peers.db</c> for
    /// v0.13+ layouts, and <c>scenario.json</c>. Equal arguments give byte-identical files (WAL salts, which SQLite
    /// draws at random, are replaced by seeded ones and the checksums recomputed).
    /// </summary>
    /// <param name="directory">Output folder.</param>
    /// <param name="name">One of <see cref="Names"/>.</param>
    /// <param name="layout">Message layout: <see cref="MessageSchemaId.S1"/> (v0.4) or <see cref="MessageSchemaId.S10"/> (latest); others work too.</param>
    /// <param name="seed">Seed of the healthy store and of every damage choice.</param>
    /// <param name="messageCount">Messages in the healthy store.</param>
    public static ScenarioManifest Generate(string directory, string name, MessageSchemaId layout, int seed = 1, int messageCount = 150)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentOutOfRangeException.ThrowIfLessThan(messageCount, 20);
        Definition definition = Find(name);
        if (!definition.AppliesTo(layout))
        {
            throw new ArgumentException($"Scenario {name} does not apply to layout {layout}: it has no i_ts index.", nameof(layout));
        }

        string work = Path.Combine(Path.GetTempPath(), "wsf-scenario-" + Guid.NewGuid().ToString("N"));
        try
        {
            // Built in a private folder and published only when complete: a failed scenario leaves no half-damaged store behind.
            string staging = Path.Combine(work, "damaged");
            ScenarioManifest manifest = new ScenarioBuilder(staging, Path.Combine(work, "healthy"), definition, layout, seed, messageCount).Build();
            Publish(staging, directory);
            return manifest;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            if (Directory.Exists(work))
            {
                Directory.Delete(work, recursive: true);
            }
        }
    }

    private static readonly string[] ScenarioFiles =
    [
        SampleStoreGenerator.MessageFileName, SampleStoreGenerator.MessageFileName + "-wal", SampleStoreGenerator.PeerFileName, ScenarioManifest.FileName,
    ];

    private static void Publish(string staging, string directory)
    {
        Directory.CreateDirectory(directory);
        foreach (string name in ScenarioFiles.Append(SampleStoreGenerator.MessageFileName + "-shm"))
        {
            File.Delete(Path.Combine(directory, name));
        }

        foreach (string name in ScenarioFiles.Where(n => File.Exists(Path.Combine(staging, n))))
        {
            File.Copy(Path.Combine(staging, name), Path.Combine(directory, name));
        }
    }

    private static Definition Find(string name) =>
        Definitions.FirstOrDefault(d => d.Name == name)
        ?? throw new ArgumentException($"Unknown scenario \"{name}\"; known: {string.Join(", ", Definitions.Select(d => d.Name))}.", nameof(name));

    /// <summary>A byte range of one file.</summary>
    private readonly record struct FileRange(string File, long Offset, long Length);

    /// <summary>A row as our reader located it, with the bytes it occupies.</summary>
    /// <param name="Key">Primary key text.</param>
    /// <param name="Values">Values in declaration order.</param>
    /// <param name="Page">B-tree page holding its cell.</param>
    /// <param name="Overflow">Its overflow page numbers, in chain order.</param>
    /// <param name="Cell">Bytes of its cell, in the database file or the WAL frame SQLite reads the page from.</param>
    /// <param name="OverflowPages">Bytes of each overflow page, wherever SQLite reads it from.</param>
    /// <param name="InWal">True when the cell's page is read from a WAL frame.</param>
    private sealed record LocatedRow(string Key, object?[] Values, uint Page, IReadOnlyList<uint> Overflow, FileRange Cell, IReadOnlyList<FileRange> OverflowPages, bool InWal);

    /// <summary>The files of a store at one moment, and where each Message row sits in them.</summary>
    private sealed record Snapshot(Dictionary<string, byte[]> Files, IReadOnlyList<LocatedRow> Rows, int PageSize, uint PageCount, uint MessageRoot, uint TimestampIndexRoot);

    private sealed class ScenarioBuilder
    {
        // fileformat2 §4.1: a WAL frame is a 24-byte header followed by the page image.
        private const int WalFrameHeaderLength = 24;

        private readonly string _directory;
        private readonly string _work;
        private readonly Definition _definition;
        private readonly MessageSchemaId _layout;
        private readonly MessageTableSchema _schema;
        private readonly int _seed;
        private readonly int _messageCount;
        private readonly Random _random;
        private readonly List<string> _sql = [];
        private readonly List<ByteDamage> _damage = [];
        private readonly List<WrittenRow> _written = [];
        private readonly List<object?[]> _writtenValues = [];
        private readonly List<string> _deleted = [];
        private readonly List<AlteredRow> _altered = [];
        private readonly List<FindingKind> _expectedFromPeerDamage = [];

        public ScenarioBuilder(string directory, string work, Definition definition, MessageSchemaId layout, int seed, int messageCount)
        {
            _directory = directory;
            _work = work;
            _definition = definition;
            _layout = layout;
            _schema = NwakuSchemaCatalog.Get(layout);
            _seed = seed;
            _messageCount = messageCount;
            _random = new Random(unchecked((seed * 7_368_787) + StableHash(definition.Name) + ((int)layout * 131)));
        }

        private const string DatabaseFile = SampleStoreGenerator.MessageFileName;

        private const string WalFile = SampleStoreGenerator.MessageFileName + "-wal";

        public ScenarioManifest Build()
        {
            var options = new SampleStoreOptions { Layout = _layout, Seed = _seed, MessageCount = _messageCount, PeerCount = 6 };
            SampleStoreGenerator.Generate(_work, options);
            foreach (StoredMessage message in new SyntheticMessages(options).Generate())
            {
                AddWritten(message.ToRow(_schema), inWalOnly: false);
            }

            Snapshot before = Capture(_work);
            RunSql();
            Snapshot live = Capture(_directory);
            _definition.DamageBytes?.Invoke(this, live);

            Dictionary<string, byte[]> final = ReadFiles(_directory);
            var intact = live.Rows.Where(r => Unchanged(r.Cell, live.Files, final) && r.OverflowPages.All(p => Unchanged(p, live.Files, final))).Select(r => r.Key).ToList();
            var beforeByKey = before.Rows.ToDictionary(r => r.Key);
            var deletedIntact = _deleted.Where(k => beforeByKey.TryGetValue(k, out LocatedRow? r)
                && Unchanged(r.Cell with { Offset = r.Cell.Offset + 4, Length = r.Cell.Length - 4 }, before.Files, final)
                && r.OverflowPages.All(p => Unchanged(p with { Offset = p.Offset + 4, Length = p.Length - 4 }, before.Files, final))).ToList();

            var manifest = new ScenarioManifest
            {
                Scenario = _definition.Name,
                Description = _definition.Description,
                Layout = _layout.ToString(),
                Seed = _seed,
                MessageTable = _schema.TableName,
                MessageFile = DatabaseFile,
                SqlStatements = _sql,
                Damage = _damage,
                Written = _written,
                Deleted = _deleted,
                Altered = _altered,
                Intact = intact,
                DeletedIntact = deletedIntact,
                ExpectedFindings = _definition.ExpectedFindings.Concat(_expectedFromPeerDamage).Select(k => k.ToString()).ToArray(),
            };
            manifest.Save(Path.Combine(_directory, ScenarioManifest.FileName));
            return manifest;
        }

        private void AddWritten(object?[] row, bool inWalOnly)
        {
            _written.Add(new WrittenRow(MessageRowValidator.FormatKey(_schema, row), RowFingerprint.Of(row), inWalOnly));
            _writtenValues.Add(row);
        }

        // ---- SQL stage: everything nwaku itself (or a bad actor with SQL) could have done.

        private void RunSql()
        {
            string path = Path.Combine(_work, DatabaseFile);
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
            connection.Open();
            // nwaku's SQLite runs with the library defaults: no secure_delete, so deleted records stay in free space.
            Execute(connection, "PRAGMA secure_delete = OFF;", record: false);
            if (_definition.CopyWhileWriterOpen)
            {
                // Keep the node "running": no checkpoint, so committed rows stay in the -wal only.
                Execute(connection, "PRAGMA wal_autocheckpoint = 0;", record: false);
            }

            _definition.ChangeWithSql?.Invoke(this, connection);
            if (_definition.CopyWhileWriterOpen)
            {
                CopyStore(_work, _directory);
                // SQLite draws WAL salts at random; fixed ones make the copy reproducible byte for byte.
                WalSalts.Normalize(Path.Combine(_directory, WalFile), unchecked((uint)_seed * 2_654_435_761u), 0x57414B55);
                return;
            }

            connection.Close(); // the last connection checkpoints the WAL into the file and removes it
            SqliteConnection.ClearAllPools();
            CopyStore(_work, _directory);
        }

        public void InsertIntoWal(SqliteConnection connection, int transactions)
        {
            var options = new SampleStoreOptions { Layout = _layout, Seed = _seed, MessageCount = _messageCount + (_messageCount / 3) };
            // The generator's stream is prefix-stable: the messages after the first _messageCount continue it.
            List<object?[]> extra = new SyntheticMessages(options).Generate().Skip(_written.Count).Select(m => m.ToRow(_schema)).ToList();
            int per = (extra.Count + transactions - 1) / transactions;
            for (int t = 0; t < transactions; t++)
            {
                Insert(connection, extra.Skip(t * per).Take(per).ToList());
            }
        }

        public void DeleteOldest(SqliteConnection connection, double share)
        {
            int timestamp = _schema.IndexOf("timestamp");
            long[] times = _writtenValues.Select(r => (long)r[timestamp]!).Order().ToArray();
            long threshold = times[(int)(times.Length * share)];
            // nwaku's time-based retention: DELETE FROM message WHERE timestamp < (now - retention).
            int changed = Execute(connection, $"DELETE FROM {_schema.TableName} WHERE timestamp < {threshold};");
            _deleted.AddRange(_written.Where((_, i) => (long)_writtenValues[i][timestamp]! < threshold).Select(w => w.Key));
            if (changed != _deleted.Count)
            {
                throw new InvalidOperationException($"Retention delete removed {changed} rows, expected {_deleted.Count}.");
            }
        }

        private List<int> PickLiveRows(int count)
        {
            var deleted = _deleted.ToHashSet(StringComparer.Ordinal);
            var altered = _altered.Select(a => a.Key).ToHashSet(StringComparer.Ordinal);
            var candidates = Enumerable.Range(0, _written.Count).Where(i => !deleted.Contains(_written[i].Key) && !altered.Contains(_written[i].Key)).ToList();
            var picked = new List<int>(count);
            for (int n = 0; n < count && candidates.Count > 0; n++)
            {
                int at = _random.Next(candidates.Count);
                picked.Add(candidates[at]);
                candidates.RemoveAt(at);
            }

            return picked;
        }

        public void AlterKeys(SqliteConnection connection, int count)
        {
            string keyColumn = _schema.PrimaryKey[0];
            foreach (int i in PickLiveRows(count))
            {
                var wrong = new byte[32];
                _random.NextBytes(wrong);
                Alter(connection, i, keyColumn, wrong, $"{keyColumn} replaced by 32 random bytes");
            }
        }

        public void GarbleContentTopics(SqliteConnection connection, int count)
        {
            foreach (int i in PickLiveRows(count))
            {
                byte[] topic = ((byte[])_writtenValues[i][_schema.IndexOf("contentTopic")]!).ToArray();
                // Bytes that are no UTF-8 at all (0xFF never occurs in UTF-8) where the topic's name segment starts.
                topic[Math.Min(3, topic.Length - 1)] = 0xFF;
                topic[Math.Min(4, topic.Length - 1)] = 0xFE;
                Alter(connection, i, "contentTopic", topic, "contentTopic bytes 3–4 replaced by 0xFF 0xFE (not UTF-8)");
            }
        }

        public void SetFarFutureTimestamps(SqliteConnection connection, int count)
        {
            // 2100-01-01T00:00:00Z in the column's unit: whole seconds in v0.4, nanoseconds since v0.8.
            ColumnDefinition column = _schema.Columns[_schema.IndexOf("timestamp")];
            long year2100 = column.Unit == TimestampUnit.WholeSeconds ? 4_102_444_800L : 4_102_444_800L * 1_000_000_000;
            foreach (int i in PickLiveRows(count))
            {
                Alter(connection, i, "timestamp", year2100, "timestamp set to 2100-01-01");
            }
        }

        /// <summary>
        /// Cuts the last 10 bytes off one peer's storedInfo, when the Peer table is in the message file (v0.3–v0.12;
        /// peers.db is not scanned with it). Both eras' protobufs end in the 39-byte public_key field or in the short
        /// fields 5 and 6 behind it, so the cut always lands inside public_key: a truncation, not a field boundary.
        /// </summary>
        public void TruncateStoredInfo(SqliteConnection connection)
        {
            using SqliteCommand query = connection.CreateCommand();
            query.CommandText = "SELECT peerId FROM Peer ORDER BY peerId";
            var peers = new List<byte[]>();
            try
            {
                using SqliteDataReader reader = query.ExecuteReader();
                while (reader.Read())
                {
                    peers.Add((byte[])reader.GetValue(0));
                }
            }
            catch (SqliteException)
            {
                return; // no Peer table in this file
            }

            if (peers.Count == 0)
            {
                return;
            }

            byte[] peerId = peers[_random.Next(peers.Count)];
            if (Execute(connection, $"UPDATE Peer SET storedInfo = substr(storedInfo, 1, length(storedInfo) - 10) WHERE peerId = {Literal(peerId)};") != 1)
            {
                throw new InvalidOperationException("The storedInfo update changed no row.");
            }

            _expectedFromPeerDamage.Add(FindingKind.StoredInfoTruncated);
        }

        private void Alter(SqliteConnection connection, int row, string column, object value, string change)
        {
            string keyColumn = _schema.PrimaryKey[0];
            object?[] values = _writtenValues[row];
            object?[] altered = values.ToArray();
            altered[_schema.IndexOf(column)] = value;
            int changed = Execute(connection, $"UPDATE {_schema.TableName} SET {column} = {Literal(value)} WHERE {keyColumn} = {Literal(values[_schema.IndexOf(keyColumn)]!)};");
            if (changed != 1)
            {
                throw new InvalidOperationException($"UPDATE of row {_written[row].Key} changed {changed} rows.");
            }

            _altered.Add(new AlteredRow(_written[row].Key, MessageRowValidator.FormatKey(_schema, altered), change, RowFingerprint.Of(altered)));
        }

        private void Insert(SqliteConnection connection, IReadOnlyList<object?[]> rows)
        {
            using SqliteTransaction transaction = connection.BeginTransaction();
            foreach (object?[] row in rows)
            {
                using SqliteCommand command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = $"INSERT INTO {_schema.TableName} ({string.Join(", ", _schema.Columns.Select(c => c.Name))}) VALUES ({string.Join(", ", row.Select(v => v is null ? "NULL" : Literal(v)))});";
                command.ExecuteNonQuery();
                AddWritten(row, inWalOnly: true);
            }

            transaction.Commit();
            _sql.Add($"BEGIN; INSERT INTO {_schema.TableName} … × {rows.Count} (generator rows {_written.Count - rows.Count}–{_written.Count - 1}); COMMIT;");
        }

        private int Execute(SqliteConnection connection, string sql, bool record = true)
        {
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = sql;
            int changed = command.ExecuteNonQuery();
            if (record)
            {
                _sql.Add(sql);
            }

            return changed;
        }

        private static string Literal(object value) => value switch
        {
            byte[] b => $"X'{Convert.ToHexStringLower(b)}'",
            long l => l.ToString(CultureInfo.InvariantCulture),
            _ => throw new ArgumentException($"No literal for {value.GetType()}.", nameof(value)),
        };

        private static void CopyStore(string from, string to)
        {
            Directory.CreateDirectory(to);
            // Like a forensic copy of a live node: the database, its -wal and peers.db; never the -shm (memory only).
            foreach (string name in new[] { SampleStoreGenerator.MessageFileName, SampleStoreGenerator.MessageFileName + "-wal", SampleStoreGenerator.PeerFileName })
            {
                string source = Path.Combine(from, name);
                if (File.Exists(source))
                {
                    using var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                    using var output = File.Create(Path.Combine(to, name));
                    input.CopyTo(output);
                }
            }
        }

        // ---- Byte stage.

        public void TruncateLastPages(Snapshot live, double share)
        {
            uint keep = (uint)(live.PageCount * (1 - share));
            Truncate(DatabaseFile, (long)keep * live.PageSize, $"pages {keep + 1}–{live.PageCount} cut off");
        }

        public void ZeroHeaderMagic() =>
            Overwrite(DatabaseFile, 0, new byte[16], "zeroed", "header magic \"SQLite format 3\\0\"");

        public void DestroyRootPage(Snapshot live)
        {
            var garbage = new byte[live.PageSize];
            _random.NextBytes(garbage);
            garbage[0] = 0x00; // no b-tree page type, as on a page overwritten by foreign data
            Overwrite(DatabaseFile, PageOffset(live, live.MessageRoot), garbage, "overwritten", $"{_schema.TableName} root page {live.MessageRoot}");
        }

        public void PointFreelistTrunkPastTheEnd(Snapshot live)
        {
            uint trunk = BinaryPrimitives.ReadUInt32BigEndian(live.Files[DatabaseFile].AsSpan(32, 4)); // fileformat2 §1.3: first freelist trunk page
            if (trunk == 0)
            {
                throw new InvalidOperationException("The retention delete left no freelist.");
            }

            var pointer = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(pointer, live.PageCount + 1000);
            Overwrite(DatabaseFile, PageOffset(live, trunk), pointer, "overwritten", $"next-trunk pointer of freelist trunk page {trunk} → page {live.PageCount + 1000}");
        }

        public void TearLastWalFrame(Snapshot live)
        {
            long length = live.Files[WalFile].Length;
            long frameSize = WalFrameHeaderLength + live.PageSize;
            Truncate(WalFile, length - (frameSize / 2), "second half of the last WAL frame (the commit frame of the second transaction)");
        }

        public void ZeroInteriorPage(Snapshot live)
        {
            // WITHOUT ROWID tables keep records on interior pages too, so every b-tree page shows up among the rows' pages.
            uint[] interior = RowPages(live).Where(p => p != live.MessageRoot && PageType(live, p) == 0x02).ToArray();
            if (interior.Length == 0)
            {
                throw new InvalidOperationException("The Message b-tree has no interior page below its root; generate more messages.");
            }

            uint page = interior[_random.Next(interior.Length)];
            Overwrite(DatabaseFile, PageOffset(live, page), new byte[live.PageSize], "zeroed", $"{_schema.TableName} interior b-tree page {page}");
        }

        public uint ZeroMiddleLeafPage(Snapshot live)
        {
            uint[] leaves = RowPages(live).Where(p => PageType(live, p) == 0x0A).ToArray();
            uint page = leaves[leaves.Length / 2];
            Overwrite(DatabaseFile, PageOffset(live, page), new byte[live.PageSize], "zeroed", $"{_schema.TableName} leaf page {page}");
            return page;
        }

        private static uint[] RowPages(Snapshot live) => live.Rows.Where(r => !r.InWal).Select(r => r.Page).Distinct().Order().ToArray();

        // fileformat2 §1.5: the b-tree page header starts at byte 100 on page 1, else at byte 0; 0x02 interior index, 0x0A leaf index.
        private static byte PageType(Snapshot live, uint page) =>
            live.Files[DatabaseFile][PageOffset(live, page) + (page == 1 ? 100 : 0)];

        public void FlipPayloadBits(Snapshot live, int count, HashSet<uint> avoidPages)
        {
            int payloadField = _schema.RecordOrder.ToList().IndexOf(_schema.IndexOf("payload"));
            var candidates = live.Rows.Where(r => !r.InWal && r.Overflow.Count == 0 && !avoidPages.Contains(r.Page) && ((byte[]?)r.Values[_schema.IndexOf("payload")])?.Length > 0).ToList();
            for (int n = 0; n < count && candidates.Count > 0; n++)
            {
                LocatedRow row = candidates[_random.Next(candidates.Count)];
                candidates.Remove(row);
                long start = FieldOffset(live, row, payloadField, out long length);
                long at = start + _random.NextInt64(length);
                int bit = _random.Next(8);
                byte[] file = ReadFiles(_directory)[DatabaseFile];
                Overwrite(DatabaseFile, at, [(byte)(file[at] ^ (1 << bit))], "bit-flipped", $"bit {bit} of payload byte {at - start} of row {row.Key}");
            }
        }

        public void BreakOverflowChain(Snapshot live, HashSet<uint> avoidPages)
        {
            var candidates = live.Rows.Where(r => !r.InWal && r.Overflow.Count >= 2 && !avoidPages.Contains(r.Page) && !r.Overflow.Any(avoidPages.Contains)).ToList();
            if (candidates.Count == 0)
            {
                throw new InvalidOperationException("No row spans two or more overflow pages; generate more messages.");
            }

            LocatedRow row = candidates[_random.Next(candidates.Count)];
            Overwrite(DatabaseFile, PageOffset(live, row.Overflow[0]), new byte[4], "zeroed", $"next-page pointer of overflow page {row.Overflow[0]} (row {row.Key}, chain of {row.Overflow.Count})");
        }

        public void DamageTimestampIndex(Snapshot live, int count)
        {
            using SqliteDatabase db = SqliteDatabase.Open(Path.Combine(_directory, DatabaseFile));
            byte[] file = live.Files[DatabaseFile];
            var leafEntries = db.ReadRecords(live.TimestampIndexRoot)
                .Where(e => e.Provenance.WalFrame < 0 && PageType(live, e.Provenance.Page) == 0x0A)
                .ToList();
            for (int n = 0; n < count && leafEntries.Count > 0; n++)
            {
                SqliteRow entry = leafEntries[_random.Next(leafEntries.Count)];
                leafEntries.Remove(entry);
                long start = FieldOffset(live, PageOffset(live, entry.Provenance.Page) + entry.Provenance.CellOffset, entry.Provenance.Page, 0, out long length);
                long last = start + length - 1;
                // ±1 in the lowest byte: the entry keeps its place in the index order but names no row of the table.
                Overwrite(DatabaseFile, last, [(byte)(file[last] ^ 0x01)], "bit-flipped", $"i_ts entry on page {entry.Provenance.Page}: lowest byte of timestamp {entry.Values[0]}");
            }
        }

        /// <summary>Offset in the database file of field <paramref name="field"/> of a row's record (fileformat2 §1.6 cells, §2.1 records).</summary>
        private long FieldOffset(Snapshot live, LocatedRow row, int field, out long length) =>
            FieldOffset(live, row.Cell.Offset, row.Page, field, out length);

        private static long FieldOffset(Snapshot live, long cellStart, uint page, int field, out long length)
        {
            byte[] file = live.Files[DatabaseFile];
            byte pageType = PageType(live, page);
            long p = cellStart + (pageType == 0x02 ? 4 : 0); // an interior index cell starts with its left child pointer
            if (!Varint.TryRead(file.AsSpan((int)p), out _, out int consumed))
            {
                throw new InvalidDataException($"No payload size at {p}.");
            }

            long record = p + consumed;
            Varint.TryRead(file.AsSpan((int)record), out long headerSize, out consumed);
            long header = record + consumed;
            long body = record + headerSize;
            // The file is the healthy copy before any byte damage: its record headers decode.
            for (int i = 0; ; i++)
            {
                Varint.TryRead(file.AsSpan((int)header), out long serialType, out consumed);
                header += consumed;
                length = RecordDecoder.ContentSize(serialType);
                if (i == field || header >= record + headerSize)
                {
                    return i == field ? body : throw new InvalidDataException($"Record at {record} has no field {field}.");
                }

                body += length;
            }
        }

        private static long PageOffset(Snapshot live, uint page) => (long)(page - 1) * live.PageSize;

        private void Overwrite(string file, long offset, byte[] bytes, string action, string target)
        {
            using (var stream = new FileStream(Path.Combine(_directory, file), FileMode.Open, FileAccess.Write))
            {
                stream.Position = offset;
                stream.Write(bytes);
            }

            _damage.Add(new ByteDamage(file, offset, bytes.Length, action, target));
        }

        private void Truncate(string file, long length, string target)
        {
            long before;
            using (var stream = new FileStream(Path.Combine(_directory, file), FileMode.Open, FileAccess.Write))
            {
                before = stream.Length;
                stream.SetLength(length);
            }

            _damage.Add(new ByteDamage(file, length, before - length, "truncated", target));
        }

        // ---- Ground truth.

        private Snapshot Capture(string directory)
        {
            Dictionary<string, byte[]> files = ReadFiles(directory);
            using SqliteDatabase db = SqliteDatabase.Open(Path.Combine(directory, DatabaseFile));
            FileRange PageAt(uint page)
            {
                // The image SQLite would read: the latest committed WAL frame, else the database file.
                if (db.Wal?.FindCommittedFrame(page) is { } frame)
                {
                    return new FileRange(WalFile, frame.FileOffset(db.PageSize) + WalFrameHeaderLength, db.PageSize);
                }

                return new FileRange(SampleStoreGenerator.MessageFileName, (long)(page - 1) * db.PageSize, db.PageSize);
            }

            var rows = new List<LocatedRow>();
            foreach (RowLocation location in db.LocateRows(_schema.TableName))
            {
                FileRange page = PageAt(location.Row.Provenance.Page);
                var cell = new FileRange(page.File, page.Offset + location.Row.Provenance.CellOffset, location.CellSize);
                rows.Add(new LocatedRow(MessageRowValidator.FormatKey(_schema, location.Row.Values), location.Row.Values, location.Row.Provenance.Page,
                    location.OverflowPages, cell, location.OverflowPages.Select(PageAt).ToArray(), page.File == WalFile));
            }

            uint root = db.FindObject(_schema.TableName)?.RootPage ?? 0;
            uint index = db.FindObject("i_ts")?.RootPage ?? 0;
            return new Snapshot(files, rows, db.PageSize, db.PageCount, root, index);
        }

        private static Dictionary<string, byte[]> ReadFiles(string directory)
        {
            var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            foreach (string name in new[] { SampleStoreGenerator.MessageFileName, SampleStoreGenerator.MessageFileName + "-wal" })
            {
                string path = Path.Combine(directory, name);
                if (File.Exists(path))
                {
                    using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                    var bytes = new byte[stream.Length];
                    stream.ReadExactly(bytes);
                    files[name] = bytes;
                }
            }

            return files;
        }

        private static bool Unchanged(FileRange range, Dictionary<string, byte[]> before, Dictionary<string, byte[]> after)
        {
            if (!before.TryGetValue(range.File, out byte[]? a) || !after.TryGetValue(range.File, out byte[]? b) || range.Offset + range.Length > b.Length)
            {
                return false;
            }

            return a.AsSpan((int)range.Offset, (int)range.Length).SequenceEqual(b.AsSpan((int)range.Offset, (int)range.Length));
        }

        private static int StableHash(string text)
        {
            // string.GetHashCode is randomised per process; scenarios must draw the same choices every run.
            int hash = 17;
            foreach (char c in text)
            {
                hash = unchecked((hash * 31) + c);
            }

            return hash;
        }
    }
}
