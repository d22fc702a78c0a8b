using Microsoft.Data.Sqlite;
using Waku.StoreForensics.Comparison;
using Waku.StoreForensics.Recovery;
using Waku.StoreForensics.SampleGenerator;
using Waku.StoreForensics.Schema;
using Waku.StoreForensics.Tests.Sqlite;

namespace Waku.StoreForensics.Tests.Recovery;

/// <summary>Rows a hand reseed stored with TEXT topics: quarantined by default, written as BLOBs on request when the key proves them.</summary>
public class TextAsBlobTests
{
    private static (string Original, string HandReseeded) Stores(TempDir dir, MessageSchemaId layout, string update)
    {
        string folder = Path.Combine(dir.Path, "original");
        SampleStoreGenerator.Generate(folder, new SampleStoreOptions { Layout = layout, MessageCount = 50, Seed = 3, PeerCount = 0 });
        string original = Path.Combine(folder, SampleStoreGenerator.MessageFileName);
        string copy = dir.File("hand-reseeded.db");
        File.Copy(original, copy);
        using var c = new SqliteConnection($"Data Source={copy};Pooling=False");
        c.Open();
        RandomDatabase.Exec(c, update);
        return (original, copy);
    }

    private static long Count(string path, string sql)
    {
        using var c = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        c.Open();
        return (long)RandomDatabase.Query(c, sql)[0][0]!;
    }

    [Fact]
    public void Recover_TextTopicsCoveredByTheKey_QuarantinedByDefault_WrittenAsBlobOnRequest()
    {
        using var dir = new TempDir();
        // Ten rows as a hand reseed with a TEXT binding leaves them: the same bytes, another storage class.
        var (original, reseeded) = Stores(dir, MessageSchemaId.S10,
            "UPDATE Message SET contentTopic = CAST(contentTopic AS TEXT), pubsubTopic = CAST(pubsubTopic AS TEXT) WHERE messageHash IN (SELECT messageHash FROM Message ORDER BY messageHash LIMIT 10)");
        Assert.Equal(10, Count(reseeded, "SELECT count(*) FROM Message WHERE typeof(contentTopic) = 'text'"));

        var strict = StoreRecovery.Recover(reseeded, new RecoveryOptions { OutputPath = dir.File("strict.db") });
        var converted = StoreRecovery.Recover(reseeded, new RecoveryOptions { OutputPath = dir.File("converted.db"), TextAsBlob = true });

        Assert.Equal(40, strict.MessagesWritten);
        Assert.Contains(strict.Counts, c => c is { Table: "message", Source: "live b-tree", Verdict: RowVerdict.Quarantined, Rows: 10 });
        Assert.Equal(0, strict.TextConverted);
        Assert.Equal(50, converted.MessagesWritten);
        Assert.Equal(10, converted.TextConverted);
        Assert.Equal(0, converted.QuarantinedLiveOrLost);
        Assert.Equal(0, Count(dir.File("converted.db"), "SELECT count(*) FROM Message WHERE typeof(contentTopic) <> 'blob' OR typeof(pubsubTopic) <> 'blob'"));
        Assert.True(StoreDiff.Compare(original, dir.File("converted.db")).Identical);
        Assert.Equal(10, Count(converted.QuarantinePath, "SELECT count(*) FROM quarantine WHERE reason LIKE 'written, but %--text-as-blob%'"));
    }

    [Fact]
    public void Recover_TextPubsubTopicTheV04DigestDoesNotCover_StaysQuarantinedEvenOnRequest()
    {
        using var dir = new TempDir();
        // v0.4's id = sha256(contentTopic ‖ payload): nothing proves a pubsub topic's bytes, so TEXT there is not converted.
        var (_, reseeded) = Stores(dir, MessageSchemaId.S1,
            "UPDATE Message SET pubsubTopic = CAST(pubsubTopic AS TEXT) WHERE id IN (SELECT id FROM Message ORDER BY id LIMIT 5)");

        var report = StoreRecovery.Recover(reseeded, new RecoveryOptions { OutputPath = dir.File("out.db"), TextAsBlob = true });

        Assert.Equal(45, report.MessagesWritten);
        Assert.Equal(0, report.TextConverted);
        Assert.Contains(report.Counts, c => c is { Table: "message", Source: "live b-tree", Verdict: RowVerdict.Quarantined, Rows: 5 });
    }
}
