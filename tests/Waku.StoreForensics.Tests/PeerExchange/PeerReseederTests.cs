using Google.Protobuf;
using Microsoft.Data.Sqlite;
using Waku.StoreForensics.Net.Identify;
using Waku.StoreForensics.Net.Multiformats;
using Waku.StoreForensics.PeerExchange;
using Waku.StoreForensics.Scanning;
using Waku.StoreForensics.Schema;
using Waku.StoreForensics.Schema.Protos;
using Waku.StoreForensics.Tests.Sqlite;
using Waku.StoreForensics.Validation;
using static Waku.StoreForensics.Tests.PeerExchange.EnrBuilder;

namespace Waku.StoreForensics.Tests.PeerExchange;

/// <summary>The write path without a network: rows from ENRs and an identify answer, written, read back as nwaku
/// reads them (Microsoft.Data.Sqlite + the storedInfo protobuf), validated and scanned.</summary>
public class PeerReseederTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    private static readonly byte[] OtherSecret = Convert.FromHexString("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318");

    private static Enr MakeEnr(byte[] secret, byte lastOctet) =>
        Enr.Decode(Sign(secret, String([3]),
            String("id"), String("v4"), String("ip"), String([10, 1, 2, lastOctet]),
            String("multiaddrs"), String([0x00, 0x12, 0x36, 0x0b, .. "example.org"u8, 0x06, 0x01, 0xbb, 0xde, 0x03]),
            String("secp256k1"), String(PublicKey(secret)), String("tcp"), String([0xea, 0x60]), String("waku2"), String([0x01])));

    private static IReadOnlyList<ReseededPeer> Rows(PeerReseeder.Target target)
    {
        using var identity = Waku.StoreForensics.Net.Crypto.Identity.CreateSecp256k1();
        var dialed = Multiaddress.Parse("/ip4/127.0.0.1/tcp/60000").WithPeerId(identity.PeerId);
        var identify = new IdentifyInfo("ipfs/0.1.0", "nwaku-v0.36.0", identity.PeerId, ["/vac/waku/store-query/3.0.0", "/vac/waku/peer-exchange/2.0.0-alpha1"],
            ["/ip4/192.0.2.7/tcp/60000"], null)
        {
            PublicKeyProtobuf = identity.PublicKeyProtobuf,
            ListenAddressBytes = [Multiaddress.Parse("/ip4/192.0.2.7/tcp/60000").ToBytes(), [0xff, 0xff]],
        };
        var rows = new List<ReseededPeer>
        {
            PeerRowBuilder.FromDialed(target.Schema, target.Era, identity.PeerId, dialed, identify, Now),
            PeerRowBuilder.FromEnr(target.Schema, target.Era, MakeEnr(SecretKey, 1)),
            PeerRowBuilder.FromEnr(target.Schema, target.Era, MakeEnr(OtherSecret, 2)),
        };
        foreach (var r in rows)
        {
            PeerRowBuilder.Check(target.Schema, r, Now);
        }

        return rows;
    }

    private static void CreateTable(string path, PeerSchemaId layout, params object?[][] rows)
    {
        using var c = new SqliteConnection($"Data Source={path};Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = NwakuSchemaCatalog.Get(layout).CreateSql;
        cmd.ExecuteNonQuery();
        foreach (var row in rows)
        {
            using var insert = c.CreateCommand();
            insert.CommandText = $"INSERT INTO Peer VALUES ({string.Join(", ", row.Select((_, i) => $"$p{i}"))})";
            for (int i = 0; i < row.Length; i++)
            {
                insert.Parameters.AddWithValue($"$p{i}", row[i] ?? DBNull.Value);
            }

            insert.ExecuteNonQuery();
        }
    }

    private static List<object?[]> ReadBack(string path)
    {
        using var c = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        c.Open();
        return RandomDatabase.Query(c, "SELECT * FROM Peer ORDER BY peerId");
    }

    public static TheoryData<PeerSchemaId?, PeerStorageEra?, PeerStorageEra> Cases => new()
    {
        { null, null, PeerStorageEra.RemotePeerInfo },                          // new peers.db
        { PeerSchemaId.TwoColumns, null, PeerStorageEra.RemotePeerInfo },
        { PeerSchemaId.FourColumns, null, PeerStorageEra.RemotePeerInfo },      // empty table, no Message table
        { PeerSchemaId.FourColumns, PeerStorageEra.StoredInfo, PeerStorageEra.StoredInfo },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Write_EachLayoutAndEra_RowsReadBackAsNwakuDecodesThemAndScanClean(PeerSchemaId? existing, PeerStorageEra? era, PeerStorageEra expectedEra)
    {
        using var dir = new TempDir();
        string path = dir.File("peers.db");
        if (existing is { } layout)
        {
            CreateTable(path, layout);
        }

        var target = PeerReseeder.Plan(path, new PeerReseedOptions { Era = era }, default);
        Assert.Equal(expectedEra, target.Era);
        var rows = Rows(target);

        Assert.Equal(3, PeerReseeder.Write(target, rows));

        var back = ReadBack(path);
        Assert.Equal(3, back.Count);
        var schema = NwakuSchemaCatalog.Get(existing ?? PeerSchemaId.FourColumns);
        foreach (var row in back)
        {
            Assert.Empty(PeerRowValidator.Validate(schema, row, new RowValidationOptions { Now = Now }));
            var built = rows.Single(r => r.PeerId == PeerId.FromBytes((byte[])row[0]!).ToString());
            byte[] storedInfo = (byte[])row[1]!;
            Assert.Equal(built.StoredInfoHex, Convert.ToHexStringLower(storedInfo));
            if (expectedEra == PeerStorageEra.RemotePeerInfo)
            {
                var info = RemotePeerInfo.Parser.ParseFrom(storedInfo);
                Assert.Equal((byte[])row[0]!, info.PeerId.ToByteArray());
                Assert.Equal(built.PublicKeyHex, Convert.ToHexStringLower(info.PublicKey.Span));
                Assert.Equal(built.Addresses, info.Addrs.Select(a => Multiaddress.FromBytes(a.Span).ToString()));
                Assert.Equal((uint)built.Connectedness, info.Connectedness);
                Assert.Equal((ulong)built.DisconnectTime, info.DisconnectTime);
                Assert.Equal(built.Enr is not null, info.HasEnr);
                if (built.Enr is { } text)
                {
                    Assert.Equal(text, Enr.Decode(info.Enr.Span).ToString());
                }

                Assert.All(row.Skip(2), Assert.Null);
            }
            else
            {
                var info = StoredInfo.Parser.ParseFrom(storedInfo);
                Assert.Equal(built.Addresses, info.Addrs.Select(a => Multiaddress.FromBytes(a.Span).ToString()));
                Assert.Equal((long)built.Connectedness, row[2]);
                Assert.Equal(built.DisconnectTime, row[3]);
            }
        }

        var dialed = rows[0];
        Assert.Equal(Connectedness.CanConnect, dialed.Connectedness);
        Assert.Equal(Now.ToUnixTimeSeconds(), dialed.DisconnectTime);
        Assert.Equal(["/ip4/192.0.2.7/tcp/60000"], dialed.Addresses);
        Assert.Equal(["/ip4/10.1.2.1/tcp/60000", "/dns4/example.org/tcp/443/wss"], rows[1].Addresses);
        Assert.All(rows.Skip(1), r => Assert.Equal(Connectedness.NotConnected, r.Connectedness));

        var scan = StoreScanner.Scan(path);
        Assert.True(scan.Healthy, string.Join("\n", scan.Findings));
        Assert.Equal(3, scan.PeerRowsRead);
        Assert.DoesNotContain(scan.Findings, f => f.Location.Table == "Peer");
    }

    [Fact]
    public void Write_ExistingPeer_IsReplacedByPeerId()
    {
        using var dir = new TempDir();
        string path = dir.File("peers.db");
        var enr = MakeEnr(SecretKey, 1);
        CreateTable(path, PeerSchemaId.TwoColumns, [enr.PeerId.Bytes.ToArray(), new byte[] { 0x0a, 0x00 }]);
        var target = PeerReseeder.Plan(path, new PeerReseedOptions { Force = true }, default);

        PeerReseeder.Write(target, Rows(target));

        var back = ReadBack(path);
        Assert.Equal(3, back.Count);
        var replaced = back.Single(r => ((byte[])r[0]!).AsSpan().SequenceEqual(enr.PeerId.Bytes));
        Assert.Equal(enr.ToString(), Enr.Decode(RemotePeerInfo.Parser.ParseFrom((byte[])replaced[1]!).Enr.Span).ToString());
    }

    [Fact]
    public void Plan_FourColumnTableWithOldRows_StoredInfoEra()
    {
        using var dir = new TempDir();
        string path = dir.File("peers.db");
        var enr = MakeEnr(SecretKey, 1);
        var old = new StoredInfo { PeerId = Google.Protobuf.ByteString.CopyFrom(enr.PeerId.Bytes), PublicKey = Google.Protobuf.ByteString.CopyFrom(enr.PublicKeyProtobuf) };
        CreateTable(path, PeerSchemaId.FourColumns, [enr.PeerId.Bytes.ToArray(), old.ToByteArray(), 2L, 1_700_000_000L]);

        Assert.Equal(PeerStorageEra.StoredInfo, PeerReseeder.Plan(path, new PeerReseedOptions(), default).Era);
    }

    [Fact]
    public void Plan_HotJournal_RefusedEvenWhenForced()
    {
        using var dir = new TempDir();
        string path = dir.File("peers.db");
        CreateTable(path, PeerSchemaId.FourColumns);
        File.WriteAllBytes(path + "-journal", Scanning.EvidenceFiles.HotJournal(dir));

        var e = Assert.Throws<WriteRefusedException>(() => PeerReseeder.Plan(path, new PeerReseedOptions { Force = true }, default));
        Assert.Equal(WriteRefusal.HotJournal, e.Reason);
    }

    [Fact]
    public void Plan_StaleJournal_IsNotHotAndNotRefused()
    {
        using var dir = new TempDir();
        string path = dir.File("peers.db");
        CreateTable(path, PeerSchemaId.FourColumns);
        // journal_mode=PERSIST leaves the file with a zeroed header after a commit: SQLite ignores it.
        File.WriteAllBytes(path + "-journal", new byte[512]);

        Assert.NotNull(PeerReseeder.Plan(path, new PeerReseedOptions(), default));
    }

    [Fact]
    public void Plan_NonEmptyWal_RefusedUnlessForced()
    {
        using var dir = new TempDir();
        string path = dir.File("peers.db");
        CreateTable(path, PeerSchemaId.FourColumns);
        File.WriteAllBytes(path + "-wal", new byte[32]);

        Assert.Equal(WriteRefusal.WalNotEmpty, Assert.Throws<WriteRefusedException>(() => PeerReseeder.Plan(path, new PeerReseedOptions(), default)).Reason);
        File.Delete(path + "-wal");
        Assert.NotNull(PeerReseeder.Plan(path, new PeerReseedOptions(), default));
    }

    [Fact]
    public void Plan_DamagedDatabase_RefusedUnlessForced()
    {
        using var dir = new TempDir();
        string path = dir.File("peers.db");
        var enr = MakeEnr(SecretKey, 1);
        CreateTable(path, PeerSchemaId.TwoColumns, [enr.PeerId.Bytes.ToArray(), new byte[] { 0x0a, 0x50, 0x01 }]); // storedInfo cut short

        Assert.Equal(WriteRefusal.DatabaseDamaged, Assert.Throws<WriteRefusedException>(() => PeerReseeder.Plan(path, new PeerReseedOptions(), default)).Reason);
        Assert.True(PeerReseeder.Plan(path, new PeerReseedOptions { Force = true }, default).DamageFindings > 0);
    }

    [Fact]
    public void Plan_MessageStoreWithoutPeerTable_RefusedUnlessForced()
    {
        using var dir = new TempDir();
        string path = dir.File("store.sqlite3");
        using (var c = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = NwakuSchemaCatalog.Get(MessageSchemaId.Native).CreateSql;
            cmd.ExecuteNonQuery();
        }

        Assert.Equal(WriteRefusal.PeersBelongInPeersDb, Assert.Throws<WriteRefusedException>(() => PeerReseeder.Plan(path, new PeerReseedOptions(), default)).Reason);
        var forced = PeerReseeder.Plan(path, new PeerReseedOptions { Force = true }, default);
        Assert.Equal(PeerStorageEra.StoredInfo, forced.Era);
        Assert.False(forced.TableExists);
    }

    [Fact]
    public void Write_DatabaseLockedByAnotherConnection_Refused()
    {
        using var dir = new TempDir();
        string path = dir.File("peers.db");
        CreateTable(path, PeerSchemaId.TwoColumns);
        var target = PeerReseeder.Plan(path, new PeerReseedOptions(), default);
        using var node = new SqliteConnection($"Data Source={path};Pooling=False");
        node.Open();
        using var begin = node.CreateCommand();
        begin.CommandText = "BEGIN IMMEDIATE;";
        begin.ExecuteNonQuery();

        Assert.Equal(WriteRefusal.DatabaseLocked, Assert.Throws<WriteRefusedException>(() => PeerReseeder.Write(target, Rows(target))).Reason);
    }
}
