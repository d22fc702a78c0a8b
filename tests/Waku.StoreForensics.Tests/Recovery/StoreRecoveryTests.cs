using CsCheck;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Waku.StoreForensics.Recovery;
using Waku.StoreForensics.SampleGenerator;
using Waku.StoreForensics.Scanning;
using Waku.StoreForensics.Schema;
using Waku.StoreForensics.Sqlite;
using Waku.StoreForensics.Tests.Sqlite;
using Waku.StoreForensics.Validation;

namespace Waku.StoreForensics.Tests.Recovery;

public class StoreRecoveryTests
{
    private static string Generate(TempDir dir, MessageSchemaId layout, int messages, int seed = 11)
    {
        string folder = Path.Combine(dir.Path, $"gen-{layout}-{seed}");
        SampleStoreGenerator.Generate(folder, new SampleStoreOptions { Layout = layout, MessageCount = messages, Seed = seed, PeerCount = 4 });
        return Path.Combine(folder, SampleStoreGenerator.MessageFileName);
    }

    private static Dictionary<string, string> Rows(string path, string table)
    {
        using var c = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        c.Open();
        return RandomDatabase.Query(c, $"SELECT * FROM {table}").Select(RandomDatabase.Canonical).ToDictionary(r => r, r => r);
    }

    /// <summary>Rows of an evidence file read by our reader: opening it with SQLite would create -shm beside it.</summary>
    private static Dictionary<string, string> EvidenceRows(string path, string table)
    {
        using var db = SqliteDatabase.Open(path);
        return db.ReadTable(table).Select(r => RandomDatabase.Canonical(r.Values)).ToDictionary(r => r, r => r);
    }

    private static Dictionary<string, string> Fingerprint(string folder) =>
        Directory.GetFiles(folder).ToDictionary(f => Path.GetFileName(f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));

    [Theory]
    [InlineData(MessageSchemaId.S1)]
    [InlineData(MessageSchemaId.S10)]
    public void Recover_HealthyStore_OutputEqualsInputRowForRowInNwakusSchema(MessageSchemaId layout)
    {
        using var dir = new TempDir();
        string input = Generate(dir, layout, 150);
        var schema = NwakuSchemaCatalog.Get(layout);
        var before = Fingerprint(Path.GetDirectoryName(input)!);
        string output = dir.File("out.db");
        var report = StoreRecovery.Recover(input, new RecoveryOptions { OutputPath = output });

        Assert.True(report.OutputVerified);
        Assert.False(File.Exists(output + "-wal"), "the output must be one self-contained file");
        Assert.Equal(150, report.MessagesWritten);
        Assert.Equal(0, report.QuarantinedLiveOrLost);
        Assert.False(report.DamageFound);
        // SQLite, reading the file read-only, returned the same 150 rows our reader had already taken.
        Assert.Contains(report.Counts, c => c.Source == "sqlite witness" && c.Verdict == RowVerdict.Duplicate && c.Rows == 150);
        Assert.DoesNotContain(report.Counts, c => c.Source == "sqlite witness" && c.Verdict == RowVerdict.Written);
        Assert.Equal(EvidenceRows(input, schema.TableName).Keys.Order(), Rows(output, schema.TableName).Keys.Order());
        using (var db = SqliteDatabase.Open(output))
        {
            Assert.Equal(schema.UserVersions[0], db.Header.UserVersion);
            Assert.Equal(schema.StoredSql, db.FindObject(schema.TableName)!.Sql);
            Assert.True(db.Header.WalMode);
        }

        Assert.Equal(before, Fingerprint(Path.GetDirectoryName(input)!));
        Assert.True(StoreScanner.Scan(output).Healthy);
    }

    [Fact]
    public void Recover_WalStore_LeavesInputWalAndNoShm()
    {
        using var dir = new TempDir();
        string source = dir.File("live.db");
        string evidence = Path.Combine(dir.Path, "evidence");
        Directory.CreateDirectory(evidence);
        string input = Path.Combine(evidence, "store.sqlite3");
        var schema = NwakuSchemaCatalog.Get(MessageSchemaId.S10);
        var rng = new Random(3);
        using (var writer = NwakuDatabaseWriter.Create(source, schema))
        {
            writer.InsertMessages(Enumerable.Range(0, 80).Select(i =>
                new StoredMessage("/waku/2/rs/1/0", "/app/1/chat/proto", RandomBytes(rng, 200 + i), 0, 1_760_000_000_000_000_000 + i, null, 1_760_000_000_000_000_000 + i).ToRow(schema)));
            // Copy while the writer is open: the rows are only in the WAL.
            File.Copy(source, input);
            File.Copy(source + "-wal", input + "-wal");
        }

        var before = Fingerprint(evidence);
        var report = StoreRecovery.Recover(input, new RecoveryOptions { OutputPath = dir.File("out.db") });
        Assert.Equal(80, report.MessagesWritten);
        Assert.Equal(before, Fingerprint(evidence));
        Assert.False(File.Exists(input + "-shm"));
    }

    [Fact]
    public void Recover_ZeroedInteriorPage_EveryIntactRowBackExactlyAndNoWrongRow()
    {
        using var dir = new TempDir();
        string input = Generate(dir, MessageSchemaId.S10, 600);
        var schema = NwakuSchemaCatalog.Get(MessageSchemaId.S10);
        var written = Rows(input, schema.TableName);
        uint zeroed;
        List<RowLocation> located;
        int pageSize;
        using (var db = SqliteDatabase.Open(input))
        {
            pageSize = db.PageSize;
            var rootPage = db.ReadBTreePage(db.FindObject(schema.TableName)!.RootPage)!;
            zeroed = rootPage.Cells[rootPage.Cells.Count / 2].LeftChild;
            located = db.LocateRows(schema.TableName).ToList();
        }

        using (var file = new FileStream(input, FileMode.Open, FileAccess.ReadWrite))
        {
            file.Position = (zeroed - 1) * (long)pageSize;
            file.Write(new byte[pageSize]);
        }

        // Ground truth: rows whose cell and overflow pages do not touch the zeroed page.
        var intact = located.Where(l => l.Row.Provenance.Page != zeroed && !l.OverflowPages.Contains(zeroed))
            .Select(l => RandomDatabase.Canonical(l.Row.Values)).ToHashSet();
        Assert.True(intact.Count < written.Count);

        string output = dir.File("out.db");
        var report = StoreRecovery.Recover(input, new RecoveryOptions { OutputPath = output });
        var recovered = Rows(output, schema.TableName);
        Assert.All(recovered.Keys, r => Assert.True(written.ContainsKey(r), "an emitted row differs from every written row"));
        int back = intact.Count(recovered.ContainsKey);
        Assert.True(back >= intact.Count * 0.99, $"{back} of {intact.Count} intact rows recovered");
        Assert.Contains(report.Counts, c => c.Source == "orphan page" && c.Verdict == RowVerdict.Written);
        using var evidence = new SqliteConnection($"Data Source={report.QuarantinePath};Mode=ReadOnly;Pooling=False");
        evidence.Open();
        var provenance = RandomDatabase.Query(evidence, "SELECT source, count(*) FROM provenance GROUP BY source").ToDictionary(r => (string)r[0]!, r => (long)r[1]!);
        Assert.Equal(report.MessagesWritten + report.PeersWritten, provenance.Values.Sum());
        Assert.True(provenance["orphan page"] > 0);
    }

    [Fact]
    public void Recover_DeletedRows_WrittenOnlyWithIncludeDeleted()
    {
        using var dir = new TempDir();
        string input = Generate(dir, MessageSchemaId.S10, 300);
        var schema = NwakuSchemaCatalog.Get(MessageSchemaId.S10);
        var all = Rows(input, schema.TableName);
        using (var c = new SqliteConnection($"Data Source={input};Pooling=False"))
        {
            c.Open();
            RandomDatabase.Exec(c, "PRAGMA secure_delete=OFF");
            RandomDatabase.Exec(c, "DELETE FROM message WHERE timestamp % 4 = 0 OR substr(messageHash, 1, 1) < x'30'");
            RandomDatabase.Exec(c, "PRAGMA wal_checkpoint(TRUNCATE)");
        }

        var remaining = Rows(input, schema.TableName);
        int deleted = all.Count - remaining.Count;
        Assert.True(deleted > 10);

        var without = StoreRecovery.Recover(input, new RecoveryOptions { OutputPath = dir.File("a.db") });
        Assert.Equal(remaining.Count, without.MessagesWritten);
        Assert.True(without.Counts.Where(c => c.Verdict == RowVerdict.DeletedExcluded).Sum(c => c.Rows) > 0);

        var with = StoreRecovery.Recover(input, new RecoveryOptions { OutputPath = dir.File("b.db"), IncludeDeleted = true });
        var restored = Rows(dir.File("b.db"), schema.TableName);
        Assert.All(restored.Keys, r => Assert.True(all.ContainsKey(r), "a restored deleted row differs from what was written"));
        Assert.True(restored.Count > remaining.Count);
    }

    [Fact]
    public void Recover_V04ToLatest_WritesRealMessageHashesThatValidate()
    {
        using var dir = new TempDir();
        string input = Generate(dir, MessageSchemaId.S1, 120);
        string output = dir.File("latest.db");
        var report = StoreRecovery.Recover(input, new RecoveryOptions { OutputPath = output, TargetLayout = MessageSchemaId.S10 });
        Assert.Equal(120, report.MessagesWritten);
        Assert.Equal("S10", report.OutputLayout);
        var schema = NwakuSchemaCatalog.Get(MessageSchemaId.S10);
        using var db = SqliteDatabase.Open(output);
        Assert.Equal(10, db.Header.UserVersion);
        foreach (var row in db.ReadTable(schema.TableName))
        {
            Assert.DoesNotContain(MessageRowValidator.Validate(schema, row.Values), f => f.Severity == Severity.Error || f.Kind == FindingKind.KeyNotReproducible);
        }
    }

    [Fact]
    public void Recover_Issue791State_RebuildsAConsistentDatabase()
    {
        using var dir = new TempDir();
        string input = Generate(dir, MessageSchemaId.S1, 50);
        using (var c = new SqliteConnection($"Data Source={input};Pooling=False"))
        {
            c.Open();
            RandomDatabase.Exec(c, "PRAGMA user_version = 2");
        }

        Assert.Contains(StoreScanner.Scan(input).Findings, f => f.Kind == FindingKind.V04LayoutUnderUserVersion2);
        string output = dir.File("fixed.db");
        var report = StoreRecovery.Recover(input, new RecoveryOptions { OutputPath = output });
        Assert.Contains(report.Notes, n => n.Kind == FindingKind.V04LayoutUnderUserVersion2);
        Assert.Equal(1, report.OutputUserVersion);
        var scan = StoreScanner.Scan(output);
        Assert.DoesNotContain(scan.Findings, f => f.Severity != Severity.Info);
    }

    [Fact]
    public void Recover_TwoCopiesDifferingWhereNoKeyLooks_TheBetterIsWrittenTheOtherFlaggedAsConflicting()
    {
        // v0.4: the digest covers content topic and payload, not the receive time. An older WAL frame keeps the row with
        // another receiverTimestamp: both copies pass every check, so only their disagreement can tell.
        using var dir = new TempDir();
        string input = Generate(dir, MessageSchemaId.S1, 40);
        string copy = dir.File("copy.sqlite3");
        string id;
        using (var c = new SqliteConnection($"Data Source={input};Pooling=False"))
        {
            c.Open();
            RandomDatabase.Exec(c, "PRAGMA wal_autocheckpoint = 0");
            id = Convert.ToHexString((byte[])RandomDatabase.Query(c, "SELECT id FROM Message ORDER BY id LIMIT 1")[0][0]!);
            RandomDatabase.Exec(c, $"UPDATE Message SET timestamp = timestamp + 7 WHERE id = x'{id}'");
            RandomDatabase.Exec(c, $"UPDATE Message SET timestamp = timestamp + 7 WHERE id = x'{id}'");
            // Copy while the connection is open: closing would checkpoint and delete the -wal.
            File.Copy(input, copy);
            File.Copy(input + "-wal", copy + "-wal");
        }

        var report = StoreRecovery.Recover(copy, new RecoveryOptions { OutputPath = dir.File("out.db") });

        Assert.Equal(40, report.MessagesWritten);
        Assert.Contains(report.Counts, c => c.Verdict == RowVerdict.Conflicting && c.Rows >= 1);
        Assert.Equal(40, report.UnprovenColumns["timestamp"]);
        Assert.Equal(40, report.UnprovenColumns["version"]);
        Assert.False(report.UnprovenColumns.ContainsKey("payload"));
        using var q = new SqliteConnection($"Data Source={report.QuarantinePath};Mode=ReadOnly;Pooling=False");
        q.Open();
        var conflicts = RandomDatabase.Query(q, "SELECT row_json, reason FROM quarantine WHERE reason LIKE 'conflicting copy%'");
        Assert.NotEmpty(conflicts);
        Assert.All(conflicts, r => Assert.Contains(id.ToLowerInvariant(), (string)r[0]!, StringComparison.Ordinal));
        Assert.Equal("timestamp,pubsubTopic,version", (string)RandomDatabase.Query(q, "SELECT DISTINCT unproven FROM provenance WHERE tbl = 'message'").Single()[0]!);

        // The live (last committed) value is the one written.
        using var o = new SqliteConnection($"Data Source={dir.File("out.db")};Mode=ReadOnly;Pooling=False");
        o.Open();
        using var i = new SqliteConnection($"Data Source={copy};Mode=ReadOnly;Pooling=False");
        i.Open();
        Assert.Equal(RandomDatabase.Query(i, $"SELECT timestamp FROM Message WHERE id = x'{id}'")[0][0], RandomDatabase.Query(o, $"SELECT timestamp FROM Message WHERE id = x'{id}'")[0][0]);
    }

    [Fact]
    public void Recover_S9RowWhoseStoredAtDisagreesWithItsIndexEntries_IsWrittenAndFlagged()
    {
        // storedAt is covered by no key, but i_ts and i_query keep copies of it. Two files from the same rows except one
        // storedAt have byte-identical table layouts: the table pages of the second spliced into the first give a table
        // that disagrees with its own indexes in exactly one value.
        using var dir = new TempDir();
        var schema = NwakuSchemaCatalog.Get(MessageSchemaId.S9);
        int storedAt = schema.IndexOf(ColumnRole.ReceiveTime);
        var rows = Enumerable.Range(0, 60).Select(i => new StoredMessage("/waku/2/rs/1/0", "/app/1/chat/proto",
            System.Text.Encoding.UTF8.GetBytes($"message {i} " + new string('x', i)), 0, 1_748_779_200_000_000_000 + (i * 1_000_000_000L), null, 0).ToRow(schema)).ToList();
        string a = dir.File("a.sqlite3"), b = dir.File("b.sqlite3");
        using (var writer = NwakuDatabaseWriter.Create(a, schema))
        {
            writer.InsertMessages(rows);
        }

        var altered = rows.Select(r => (object?[])r.Clone()).ToList();
        altered[17][storedAt] = (long)altered[17][storedAt]! + 5;
        using (var writer = NwakuDatabaseWriter.Create(b, schema))
        {
            writer.InsertMessages(altered);
        }

        int pageSize;
        uint[] tablePages;
        using (var db = SqliteDatabase.Open(a))
        {
            pageSize = db.Header.PageSize;
            tablePages = db.MapPages().Where(p => p.Owner == schema.TableName).Select(p => p.Page).ToArray();
        }

        byte[] fileA = File.ReadAllBytes(a), fileB = File.ReadAllBytes(b);
        foreach (uint page in tablePages)
        {
            Array.Copy(fileB, (page - 1) * pageSize, fileA, (page - 1) * pageSize, pageSize);
        }

        File.WriteAllBytes(a, fileA);
        var report = StoreRecovery.Recover(a, new RecoveryOptions { OutputPath = dir.File("out.db") });

        Assert.Equal(60, report.MessagesWritten);
        Assert.Equal(1, report.IndexDisagreements);
        using var q = new SqliteConnection($"Data Source={report.QuarantinePath};Mode=ReadOnly;Pooling=False");
        q.Open();
        var flagged = RandomDatabase.Query(q, "SELECT reason FROM quarantine WHERE reason LIKE 'written, but%'").Select(r => (string)r[0]!).ToList();
        Assert.Contains($"storedAt {altered[17][storedAt]} disagrees with the index entries of its key ({rows[17][storedAt]})", Assert.Single(flagged), StringComparison.Ordinal);
    }

    [Fact]
    public void Recover_RowWithWrongDigest_IsQuarantinedWithItsReason()
    {
        using var dir = new TempDir();
        string input = Generate(dir, MessageSchemaId.S1, 40);
        using (var c = new SqliteConnection($"Data Source={input};Pooling=False"))
        {
            c.Open();
            RandomDatabase.Exec(c, "UPDATE Message SET payload = x'00112233' WHERE id = (SELECT id FROM Message ORDER BY id LIMIT 1)");
        }

        string output = dir.File("out.db");
        var report = StoreRecovery.Recover(input, new RecoveryOptions { OutputPath = output });
        Assert.Equal(39, report.MessagesWritten);
        using var q = new SqliteConnection($"Data Source={report.QuarantinePath};Mode=ReadOnly;Pooling=False");
        q.Open();
        var reasons = RandomDatabase.Query(q, "SELECT reason FROM quarantine WHERE state = 'Live'").Select(r => (string)r[0]!).ToList();
        Assert.Contains(reasons, r => r.Contains("KeyMismatch", StringComparison.Ordinal));
    }

    [Fact]
    public void Recover_SchemaPageDestroyed_LayoutFromRecordShapesAndEveryRowBack()
    {
        using var dir = new TempDir();
        string input = Generate(dir, MessageSchemaId.S10, 200);
        var schema = NwakuSchemaCatalog.Get(MessageSchemaId.S10);
        var written = EvidenceRows(input, schema.TableName);
        using (var file = new FileStream(input, FileMode.Open, FileAccess.ReadWrite))
        {
            // Page 1 keeps its 100-byte file header; its b-tree (the schema table) is zeroed.
            file.Position = 100;
            file.Write(new byte[4096 - 100]);
        }

        var report = StoreRecovery.Recover(input, new RecoveryOptions { OutputPath = dir.File("out.db") });
        Assert.Equal("record shapes", report.LayoutDetectedFrom);
        Assert.Equal("S10", report.InputLayout);
        Assert.True(report.DamageFound);
        Assert.Equal(written.Keys.Order(), Rows(dir.File("out.db"), schema.TableName).Keys.Order());
    }

    [Fact]
    public void Recover_HotJournal_RecoversTheStateBeforeTheInterruptedTransaction()
    {
        using var dir = new TempDir();
        string source = dir.File("live.db");
        string evidence = Path.Combine(dir.Path, "evidence");
        Directory.CreateDirectory(evidence);
        string input = Path.Combine(evidence, "store.sqlite3");
        var schema = NwakuSchemaCatalog.Get(MessageSchemaId.S1);
        var rng = new Random(5);
        using (var writer = NwakuDatabaseWriter.Create(source, schema))
        {
            writer.InsertMessages(Enumerable.Range(0, 300).Select(i =>
                new StoredMessage("/waku/2/default-waku/proto", "/toy-chat/2/huilong/proto", RandomBytes(rng, 100 + i), 0, 0, null, 1_625_800_000_000_000_000 + (i * 1_000_000_000L)).ToRow(schema)));
        }

        var before = EvidenceRows(source, schema.TableName);
        using (var c = new SqliteConnection($"Data Source={source};Pooling=False"))
        {
            c.Open();
            RandomDatabase.Exec(c, "PRAGMA journal_mode=DELETE");
            RandomDatabase.Exec(c, "PRAGMA cache_size=2");
            using var tx = c.BeginTransaction();
            RandomDatabase.Exec(c, "DELETE FROM Message WHERE timestamp % 2 = 0");
            // Copy mid-transaction: the file holds spilled changes, the journal the original pages.
            File.Copy(source, input);
            File.Copy(source + "-journal", input + "-journal");
            tx.Rollback();
        }

        var fingerprint = Fingerprint(evidence);
        var report = StoreRecovery.Recover(input, new RecoveryOptions { OutputPath = dir.File("out.db") });
        Assert.Equal(before.Keys.Order(), Rows(dir.File("out.db"), schema.TableName).Keys.Order());
        Assert.Equal(fingerprint, Fingerprint(evidence));
        Assert.Equal(300, report.MessagesWritten);
    }

    [Fact]
    public void Recover_CellPointerDamaged_TheHiddenCellIsStillFound()
    {
        using var dir = new TempDir();
        string input = Generate(dir, MessageSchemaId.S10, 200);
        var schema = NwakuSchemaCatalog.Get(MessageSchemaId.S10);
        var written = EvidenceRows(input, schema.TableName);
        uint leaf;
        using (var db = SqliteDatabase.Open(input))
        {
            leaf = db.ReadTable(schema.TableName).First(r => db.ReadBTreePage(r.Provenance.Page)!.IsLeaf).Provenance.Page;
        }

        using (var file = new FileStream(input, FileMode.Open, FileAccess.ReadWrite))
        {
            // The first cell pointer of the leaf now points into the cell pointer array itself.
            file.Position = ((leaf - 1) * 4096L) + 8;
            file.Write([0x00, 0x09]);
        }

        var report = StoreRecovery.Recover(input, new RecoveryOptions { OutputPath = dir.File("out.db") });
        Assert.True(report.DamageFound);
        Assert.Contains(report.Counts, c => c.Source == "damaged page" && c.Verdict == RowVerdict.Written);
        Assert.Equal(written.Keys.Order(), Rows(dir.File("out.db"), schema.TableName).Keys.Order());
    }

    [Fact]
    public void Recover_OneSerialTypeFlipped_RowRebuiltAndProvenByItsHash()
    {
        using var dir = new TempDir();
        string input = Generate(dir, MessageSchemaId.S10, 150);
        var schema = NwakuSchemaCatalog.Get(MessageSchemaId.S10);
        var written = EvidenceRows(input, schema.TableName);
        var bytes = File.ReadAllBytes(input);
        byte[] hash;
        using (var db = SqliteDatabase.Open(input))
        {
            // A row without meta on a leaf page: its header ends with meta's serial type 0, just before the hash.
            hash = (byte[])db.ReadTable(schema.TableName).First(r => r.Values[schema.IndexOf("meta")] is null && db.ReadBTreePage(r.Provenance.Page)!.IsLeaf).Values[schema.IndexOf("messageHash")]!;
        }

        int at = bytes.AsSpan().IndexOf(hash) - 1;
        Assert.Equal(0, bytes[at]);
        bytes[at] = 0x57; // text of 37 bytes: the record no longer adds up
        File.WriteAllBytes(input, bytes);

        var report = StoreRecovery.Recover(input, new RecoveryOptions { OutputPath = dir.File("out.db") });
        Assert.Contains(report.Counts, c => c.Source == "damaged page" && c.Verdict == RowVerdict.Written);
        Assert.Equal(written.Keys.Order(), Rows(dir.File("out.db"), schema.TableName).Keys.Order());
    }

    [Fact]
    public void Recover_OutputIsTheInput_IsRefused()
    {
        using var dir = new TempDir();
        string input = Generate(dir, MessageSchemaId.S1, 10);
        Assert.Throws<ArgumentException>(() => StoreRecovery.Recover(input, new RecoveryOptions { OutputPath = input + "-wal", Overwrite = true }));
    }

    private static byte[] RandomBytes(Random rng, int n)
    {
        var b = new byte[n];
        rng.NextBytes(b);
        return b;
    }
}

public class RecoveryHostileInputTests
{
    [Fact]
    public void Recover_RandomByteDamage_NeverThrowsHangsOrEmitsAWrongRow()
    {
        using var dir = new TempDir();
        string folder = Path.Combine(dir.Path, "healthy");
        SampleStoreGenerator.Generate(folder, new SampleStoreOptions { Layout = MessageSchemaId.S10, MessageCount = 120, Seed = 4, PeerCount = 0 });
        string healthy = Path.Combine(folder, SampleStoreGenerator.MessageFileName);
        var schema = NwakuSchemaCatalog.Get(MessageSchemaId.S10);
        // messageHash covers pubsubTopic, payload, contentTopic, meta and timestamp, not version or id: those two
        // are only checked for plausibility, so damage to them cannot be proven and is left out of the comparison.
        int[] proven = new[] { "pubsubTopic", "contentTopic", "payload", "messageHash", "timestamp", "meta" }.Select(schema.IndexOf).ToArray();
        string ProvenPart(object?[] row) => RandomDatabase.Canonical(proven.Select(i => row[i]).ToArray());
        HashSet<string> written;
        using (var db = SqliteDatabase.Open(healthy))
        {
            written = db.ReadTable(schema.TableName).Select(r => ProvenPart(r.Values)).ToHashSet();
        }

        var original = File.ReadAllBytes(healthy);
        int run = 0;
        FixedSample.Run(Gen.Select(Gen.Int[0, original.Length - 1].Array[1, 60], Gen.Byte.Array[60]), (offsets, values) =>
        {
            string input = dir.File($"damaged-{run}.db");
            string output = dir.File($"out-{run++}.db");
            var bytes = (byte[])original.Clone();
            for (int i = 0; i < offsets.Length; i++)
            {
                bytes[offsets[i]] = values[i];
            }

            File.WriteAllBytes(input, bytes);
            var work = Task.Run(() =>
            {
                try
                {
                    StoreRecovery.Recover(input, new RecoveryOptions { OutputPath = output });
                }
                catch (InvalidDataException)
                {
                    // Only when no Message layout can be recognised at all (header or every page destroyed).
                    return;
                }

                using var db = SqliteDatabase.Open(output);
                foreach (var row in db.ReadTable(schema.TableName))
                {
                    // Every row is proven by its hash, so random damage can drop rows but never alter what the hash covers.
                    Assert.Contains(ProvenPart(row.Values), written);
                }
            });
            Assert.True(work.Wait(TimeSpan.FromSeconds(60)), "recovery of a damaged file did not finish");
        }, iter: 25, seed: "0N0XIzNsQ0O2");
    }

    [Fact]
    public void Recover_RandomWalDamageWithValidChecksums_NeverThrowsHangsOrEmitsAnUnprovenKey()
    {
        // Frames whose checksums are recomputed after the damage are valid WAL frames that lie (page numbers, commit
        // sizes, page images): every row written must still be proven by its message hash.
        using var dir = new TempDir();
        string sample = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "samples", "corrupt-dbs", "torn-wal-tail-v0.37", "store.sqlite3");
        byte[] database = File.ReadAllBytes(sample), wal = File.ReadAllBytes(sample + "-wal");
        uint salt1 = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(wal.AsSpan(16));
        uint salt2 = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(wal.AsSpan(20));
        var schema = NwakuSchemaCatalog.Get(MessageSchemaId.S10);
        int run = 0;
        FixedSample.Run(Gen.Select(Gen.Int[32, wal.Length - 1].Array[1, 40], Gen.Byte.Array[40]), (offsets, values) =>
        {
            string input = dir.File($"wal-damaged-{run}.db");
            string output = dir.File($"wal-out-{run++}.db");
            var bytes = (byte[])wal.Clone();
            for (int i = 0; i < offsets.Length; i++)
            {
                bytes[offsets[i]] = values[i];
            }

            File.WriteAllBytes(input, database);
            File.WriteAllBytes(input + "-wal", bytes);
            SampleGenerator.WalSalts.Normalize(input + "-wal", salt1, salt2);
            var work = Task.Run(() =>
            {
                try
                {
                    StoreRecovery.Recover(input, new RecoveryOptions { OutputPath = output });
                }
                catch (InvalidDataException)
                {
                    return; // no Message layout recognisable at all
                }

                using var db = SqliteDatabase.Open(output);
                foreach (var row in db.ReadTable(schema.TableName))
                {
                    var verification = MessageRowValidator.Verify(schema, row.Values);
                    Assert.DoesNotContain(verification.Findings, f => f.Severity == Severity.Error);
                    Assert.True(verification.IsProven(schema.IndexOf(ColumnRole.MessageHash)), "a written row must be proven by its hash");
                }
            });
            Assert.True(work.Wait(TimeSpan.FromSeconds(60)), "recovery with a damaged WAL did not finish");
        }, iter: 25, seed: "0N0XIzNsQ0O2");
    }
}
