using Microsoft.Data.Sqlite;
using Waku.StoreForensics.Recovery;
using Waku.StoreForensics.SampleGenerator;
using Waku.StoreForensics.Schema;
using Waku.StoreForensics.Tests.Sqlite;

namespace Waku.StoreForensics.Tests.Recovery;

public class StoreRecoveryPeerRowTests
{
    [Theory]
    // The first peer's ID with the second peer's storedInfo: the stored key and peer_id name another peer.
    [InlineData("UPDATE Peer SET storedInfo = (SELECT storedInfo FROM Peer WHERE peerId = $other) WHERE peerId = $id", "StoredInfoPeerIdMismatch", "PublicKeyMismatch", true)]
    // The last 10 bytes cut off: the value ends inside its public_key field.
    [InlineData("UPDATE Peer SET storedInfo = substr(storedInfo, 1, length(storedInfo) - 10) WHERE peerId = $id AND $other IS NOT NULL", "StoredInfoTruncated", null, false)]
    public void Recover_DamagedPeerRow_IsQuarantinedWithItsReason(string damage, string reasonKind, string? secondReasonKind, bool originalLeftInFreeSpace)
    {
        using var dir = new TempDir();
        SampleStoreGenerator.Generate(dir.Path, new SampleStoreOptions { Layout = MessageSchemaId.S1, MessageCount = 30, Seed = 9, PeerCount = 4 });
        string input = Path.Combine(dir.Path, SampleStoreGenerator.MessageFileName);
        byte[] damaged;
        using (var c = new SqliteConnection($"Data Source={input};Pooling=False"))
        {
            c.Open();
            var ids = RandomDatabase.Query(c, "SELECT peerId FROM Peer ORDER BY peerId").Select(r => (byte[])r[0]!).ToList();
            damaged = ids[0];
            using var update = c.CreateCommand();
            update.CommandText = damage;
            update.Parameters.AddWithValue("$id", ids[0]);
            update.Parameters.AddWithValue("$other", ids[1]);
            Assert.Equal(1, update.ExecuteNonQuery());
        }

        string output = dir.File("out.db");
        RecoveryReport report = StoreRecovery.Recover(input, new RecoveryOptions { OutputPath = output });

        Assert.Equal(3, report.PeersWritten);
        Assert.True(report.DamageFound);
        Assert.Contains(report.Counts, c => c is { Table: "peer", Source: "live b-tree", Verdict: RowVerdict.Quarantined, Rows: 1 });
        Assert.Contains(report.Counts, c => c is { Table: "peer", Source: "live b-tree", Verdict: RowVerdict.Written, Rows: 3 });
        using (var written = new SqliteConnection($"Data Source={output};Mode=ReadOnly;Pooling=False"))
        {
            written.Open();
            var kept = RandomDatabase.Query(written, "SELECT peerId FROM Peer").Select(r => Convert.ToHexStringLower((byte[])r[0]!)).ToList();
            Assert.DoesNotContain(Convert.ToHexStringLower(damaged), kept);
        }

        using var q = new SqliteConnection($"Data Source={report.QuarantinePath};Mode=ReadOnly;Pooling=False");
        q.Open();
        var quarantined = RandomDatabase.Query(q, "SELECT reason, page, row_json FROM quarantine WHERE tbl = 'peer' AND state = 'Live'");
        var row = Assert.Single(quarantined);
        string reason = (string)row[0]!;
        Assert.StartsWith(reasonKind + ":", reason, StringComparison.Ordinal);
        if (secondReasonKind is not null)
        {
            Assert.Contains("; " + secondReasonKind + ":", reason, StringComparison.Ordinal);
        }

        Assert.NotNull(row[1]);
        Assert.Contains(Convert.ToHexStringLower(damaged), (string)row[2]!, StringComparison.Ordinal);

        // Only the peer ID is proven (against the stored public key); the rest is the file's word, and says so.
        Assert.Equal("storedInfo,connectedness,disconnectTime", (string)RandomDatabase.Query(q, "SELECT DISTINCT unproven FROM provenance WHERE tbl = 'peer'").Single()[0]!);

        if (!originalLeftInFreeSpace)
        {
            return; // SQLite puts the shorter new cell into the tail of the freed one (pageFindSlot): the original is overwritten
        }

        // The row's version before the UPDATE survives in free space: valid, so kept as a deleted row, not written.
        var original = RandomDatabase.Query(q, "SELECT reason, row_json FROM quarantine WHERE tbl = 'peer' AND state = 'Deleted'");
        Assert.Contains(original, r => ((string)r[1]!).Contains(Convert.ToHexStringLower(damaged), StringComparison.Ordinal)
            && ((string)r[0]!).StartsWith("deleted row (valid)", StringComparison.Ordinal));
    }
}
