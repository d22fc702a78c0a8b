using System.Text.Json;
using Microsoft.Data.Sqlite;
using Waku.StoreForensics.SampleGenerator;
using Waku.StoreForensics.Schema;

namespace Waku.StoreForensics.Tests.Cli;

public class ScanCommandPeerTests
{
    [Fact]
    public async Task ScanJson_PeersDbWithGarbledMultiaddr_ExitsOneAndNamesThePeer()
    {
        using var dir = new TempDir();
        SampleStoreGenerator.Generate(dir.Path, new SampleStoreOptions { Layout = MessageSchemaId.S10, MessageCount = 20, Seed = 4, PeerCount = 3 });
        string peers = Path.Combine(dir.Path, SampleStoreGenerator.PeerFileName);
        string peerId;
        using (var c = new SqliteConnection($"Data Source={peers};Pooling=False"))
        {
            c.Open();
            var row = Sqlite.RandomDatabase.Query(c, "SELECT peerId, storedInfo FROM Peer ORDER BY peerId LIMIT 1")[0];
            byte[] storedInfo = (byte[])row[1]!;
            // The first address's /ip4 code (after the 41-byte peer_id field and the address's tag and length) becomes
            // 0x7f, a code no multiaddr protocol has. (SQL's || would turn the blob into TEXT.)
            Assert.Equal(0x04, storedInfo[43]);
            storedInfo[43] = 0x7f;
            using var command = c.CreateCommand();
            command.CommandText = "UPDATE Peer SET storedInfo = $info WHERE peerId = $id";
            command.Parameters.AddWithValue("$info", storedInfo);
            command.Parameters.AddWithValue("$id", row[0]);
            Assert.Equal(1, command.ExecuteNonQuery());
            peerId = Convert.ToHexStringLower((byte[])row[0]!);
        }

        var result = await CliRunner.RunAsync("scan", peers, "--json", "--no-integrity-check");

        Assert.Equal(1, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        Assert.Equal(3, json.RootElement.GetProperty("peer_rows_read").GetInt64());
        var finding = Assert.Single(json.RootElement.GetProperty("findings").EnumerateArray(), f => f.GetProperty("location").GetProperty("table").GetString() == "Peer");
        Assert.Equal("multiaddr_invalid", finding.GetProperty("kind").GetString());
        Assert.Equal(peerId, finding.GetProperty("location").GetProperty("key").GetString());
    }
}
