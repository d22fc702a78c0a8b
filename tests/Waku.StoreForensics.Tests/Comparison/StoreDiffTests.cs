using System.Security.Cryptography;
using System.Text.Json;
using CsCheck;
using Microsoft.Data.Sqlite;
using Waku.StoreForensics.Comparison;
using Waku.StoreForensics.Recovery;
using Waku.StoreForensics.SampleGenerator;
using Waku.StoreForensics.Schema;
using Waku.StoreForensics.Tests.Cli;
using Waku.StoreForensics.Tests.Sqlite;

namespace Waku.StoreForensics.Tests.Comparison;

public class StoreDiffTests
{
    private static string Generate(TempDir dir, string name, MessageSchemaId layout, int peers = 0)
    {
        string folder = Path.Combine(dir.Path, name);
        SampleStoreGenerator.Generate(folder, new SampleStoreOptions { Layout = layout, MessageCount = 80, Seed = 5, PeerCount = peers });
        return Path.Combine(folder, SampleStoreGenerator.MessageFileName);
    }

    private static string Copy(TempDir dir, string path, string name)
    {
        string copy = dir.File(name);
        File.Copy(path, copy);
        return copy;
    }

    private static void Exec(string path, string sql)
    {
        using var c = new SqliteConnection($"Data Source={path};Pooling=False");
        c.Open();
        RandomDatabase.Exec(c, sql);
    }

    private static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    [Fact]
    public void Compare_SameFile_IsIdenticalRowForRow()
    {
        using var dir = new TempDir();
        string store = Generate(dir, "a", MessageSchemaId.S1, peers: 4); // v0.4 keeps peers in the same file

        var report = StoreDiff.Compare(store, Copy(dir, store, "b.db"));

        Assert.True(report.Identical);
        Assert.Null(report.PeersNotCompared);
        Assert.Equal(DiffKey.PrimaryKey, report.ComparedBy);
        Assert.Equal((80, 80, 80L), (report.Messages.LeftRows, report.Messages.RightRows, report.Messages.Same));
        Assert.Equal(4, report.Peers!.Same);
        Assert.Equal(Sha256(store), report.Left[0].Sha256);
    }

    [Fact]
    public void Compare_RowsDeletedAddedAndAltered_CountsAndNamesEachWithItsColumns()
    {
        using var dir = new TempDir();
        string left = Generate(dir, "a", MessageSchemaId.S10);
        string right = Copy(dir, left, "b.db");
        byte[][] hashes;
        using (var c = new SqliteConnection($"Data Source={right};Pooling=False"))
        {
            c.Open();
            hashes = RandomDatabase.Query(c, "SELECT messageHash FROM Message ORDER BY messageHash LIMIT 4").Select(r => (byte[])r[0]!).ToArray();
            using var cmd = c.CreateCommand();
            cmd.CommandText = """
                DELETE FROM Message WHERE messageHash = $h0;
                UPDATE Message SET payload = x'00' || payload WHERE messageHash = $h1;
                UPDATE Message SET meta = zeroblob(0) WHERE messageHash = $h2;
                UPDATE Message SET version = version + 1, timestamp = timestamp + 1 WHERE messageHash = $h3;
                INSERT INTO Message (pubsubTopic, contentTopic, payload, version, id, messageHash, timestamp, meta)
                  VALUES (x'2f77616b752f322f72732f312f30', x'2f612f312f622f70726f746f', x'01', 0, NULL, randomblob(32), 1, NULL);
                """;
            for (int i = 0; i < 4; i++)
            {
                cmd.Parameters.AddWithValue($"$h{i}", hashes[i]);
            }

            cmd.ExecuteNonQuery();
        }

        var report = StoreDiff.Compare(left, right);

        var m = report.Messages;
        Assert.False(report.Identical);
        Assert.Equal((80L, 80L, 76L, 1L, 1L, 3L), (m.LeftRows, m.RightRows, m.Same, m.OnlyLeft, m.OnlyRight, m.Differing));
        Assert.Equal(new Dictionary<string, long> { ["payload"] = 1, ["meta"] = 1, ["version"] = 1, ["timestamp"] = 1 }, m.DifferingColumns);
        string Hex(byte[] b) => Convert.ToHexStringLower(b);
        Assert.Equal(Hex(hashes[0]), Assert.Single(m.Listed, r => r.Difference == RowDifference.OnlyLeft).Key);
        Assert.Equal(["payload"], m.Listed.Single(r => r.Key == Hex(hashes[1])).Columns);
        Assert.Equal(["meta"], m.Listed.Single(r => r.Key == Hex(hashes[2])).Columns); // NULL and an empty BLOB differ
        Assert.Equal(["version", "timestamp"], m.Listed.Single(r => r.Key == Hex(hashes[3])).Columns);
        Assert.Single(m.Listed, r => r.Difference == RowDifference.OnlyRight);
    }

    [Fact]
    public void Compare_ListsAtMostTheLimitButCountsAll()
    {
        using var dir = new TempDir();
        string left = Generate(dir, "a", MessageSchemaId.S10);
        string right = Copy(dir, left, "b.db");
        Exec(right, "DELETE FROM Message WHERE messageHash IN (SELECT messageHash FROM Message LIMIT 30)");

        var report = StoreDiff.Compare(left, right, new StoreDiffOptions { MaxListed = 5 });

        Assert.Equal(30, report.Messages.OnlyLeft);
        Assert.Equal(5, report.Messages.Listed.Count);
        Assert.All(report.Messages.Listed, r => Assert.Equal(RowDifference.OnlyLeft, r.Difference));
        Assert.Equal(5, report.Messages.Listed.Select(r => r.Key).Distinct().Count());
    }

    [Fact]
    public void Compare_V04StoreWithItsRecoveryToTheLatestLayout_IsIdenticalAfterConversion()
    {
        // The check a user runs after recover --target-schema latest: every row arrived, converted as nwaku would.
        using var dir = new TempDir();
        string input = Generate(dir, "a", MessageSchemaId.S1, peers: 3);
        string output = dir.File("latest.db");
        StoreRecovery.Recover(input, new RecoveryOptions { OutputPath = output, TargetLayout = MessageSchemaId.S10 });

        var report = StoreDiff.Compare(input, output);

        Assert.Equal((MessageSchemaId.S1, MessageSchemaId.S10, DiffKey.ConvertedPrimaryKey), (report.LeftLayout, report.RightLayout, report.ComparedBy));
        Assert.True(report.Messages.Identical, string.Join("\n", report.Messages.Listed));
        Assert.Equal(80, report.Messages.Same);
        Assert.Equal("only_left", report.PeersNotCompared); // the S10 output keeps no Peer table (peers.db from v0.13)
    }

    [Fact]
    public void Compare_LiveWalDatabase_LeavesItAndItsSidecarsUntouched()
    {
        using var dir = new TempDir();
        string left = Generate(dir, "a", MessageSchemaId.S10);
        string right = Copy(dir, left, "b.db");
        // A -wal holding a committed transaction beside the right file, as a running node leaves it.
        using (var c = new SqliteConnection($"Data Source={right};Pooling=False"))
        {
            c.Open();
            RandomDatabase.Exec(c, "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0");
            RandomDatabase.Exec(c, "DELETE FROM Message WHERE messageHash = (SELECT min(messageHash) FROM Message)");
            File.Copy(right, dir.File("frozen.db"));
            File.Copy(right + "-wal", dir.File("frozen.db-wal"));
        }

        string frozen = dir.File("frozen.db");
        string before = Sha256(frozen) + Sha256(frozen + "-wal");

        var withWal = StoreDiff.Compare(left, frozen);
        var withoutWal = StoreDiff.Compare(left, frozen, new StoreDiffOptions { ApplyWal = false });

        Assert.Equal(1, withWal.Messages.OnlyLeft);
        Assert.True(withoutWal.Messages.Identical);
        Assert.Equal(before, Sha256(frozen) + Sha256(frozen + "-wal"));
        Assert.False(File.Exists(frozen + "-shm"));
        Assert.Equal(2, withWal.Right.Count); // the database and its -wal, each hashed
    }

    [Fact]
    public async Task Cli_Diff_ExitCodesAndJson()
    {
        using var dir = new TempDir();
        string left = Generate(dir, "a", MessageSchemaId.S10);
        string same = Copy(dir, left, "same.db");
        string other = Copy(dir, left, "other.db");
        Exec(other, "UPDATE Message SET contentTopic = x'2f782f312f792f70' WHERE messageHash = (SELECT min(messageHash) FROM Message)");

        var identical = await CliRunner.RunAsync("diff", left, same);
        Assert.Equal(0, identical.ExitCode);
        Assert.Contains("identical", identical.Stdout, StringComparison.Ordinal);

        var different = await CliRunner.RunAsync("diff", left, other, "--json");
        Assert.Equal(1, different.ExitCode);
        using var doc = JsonDocument.Parse(different.Stdout);
        var messages = doc.RootElement.GetProperty("messages");
        Assert.Equal(1, messages.GetProperty("differing").GetInt64());
        Assert.Equal(1, messages.GetProperty("differing_columns").GetProperty("contentTopic").GetInt64());
        Assert.Equal("differing", messages.GetProperty("listed")[0].GetProperty("difference").GetString());
        Assert.Equal("primary_key", doc.RootElement.GetProperty("compared_by").GetString());
        Assert.Equal(64, doc.RootElement.GetProperty("left")[0].GetProperty("sha256").GetString()!.Length);
        Assert.False(doc.RootElement.GetProperty("identical").GetBoolean());

        var missing = await CliRunner.RunAsync("diff", left, dir.File("nope.db"));
        Assert.Equal(2, missing.ExitCode);

        string notNwaku = dir.File("plain.db");
        Exec(notNwaku, "CREATE TABLE t (x)");

        var foreign = await CliRunner.RunAsync("diff", left, notNwaku);
        Assert.Equal(2, foreign.ExitCode);
        Assert.Contains("has no Message table", foreign.Stderr, StringComparison.Ordinal);
    }
}

public class StoreDiffHostileInputTests
{
    [Fact]
    public void Compare_WithRandomlyDamagedCopy_EndsInCountsThatAddUpOrATypedError()
    {
        using var dir = new TempDir();
        string folder = Path.Combine(dir.Path, "healthy");
        SampleStoreGenerator.Generate(folder, new SampleStoreOptions { Layout = MessageSchemaId.S1, MessageCount = 120, Seed = 6, PeerCount = 5 });
        string healthy = Path.Combine(folder, SampleStoreGenerator.MessageFileName);
        byte[] original = File.ReadAllBytes(healthy);
        int run = 0;
        FixedSample.Run(Gen.Select(Gen.Int[0, original.Length - 1].Array[1, 40], Gen.Byte.Array[40]), (offsets, values) =>
        {
            string damaged = dir.File($"damaged-{run++}.db");
            var bytes = (byte[])original.Clone();
            for (int i = 0; i < offsets.Length; i++)
            {
                bytes[offsets[i]] = values[i];
            }

            File.WriteAllBytes(damaged, bytes);
            var work = Task.Run(() =>
            {
                StoreDiffReport report;
                try
                {
                    report = StoreDiff.Compare(healthy, damaged);
                }
                catch (InvalidDataException)
                {
                    return; // the damaged file's header or schema no longer names an nwaku Message table
                }

                // Every left row is matched once: same, differing or only left (the healthy side has no repeats).
                var m = report.Messages;
                Assert.Equal(120, m.LeftRows);
                Assert.Equal(m.LeftRows, m.Same + m.Differing + m.OnlyLeft);
                Assert.Equal(m.RightRows, m.Same + m.Differing + m.OnlyRight + m.RepeatedKeys);
                // Damage in free space leaves the tables identical; a difference is always shown or explained.
                Assert.True(report.Identical || m.Listed.Count > 0 || report.RightReadErrors > 0 || (report.Peers?.Listed.Count ?? 0) > 0);
            });
            Assert.True(work.Wait(TimeSpan.FromSeconds(30)), "diff of a damaged file did not finish");
        }, iter: 60, seed: "0N0XIzNsQ0O2");
    }
}
