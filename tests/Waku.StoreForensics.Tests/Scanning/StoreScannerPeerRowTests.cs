using Microsoft.Data.Sqlite;
using Waku.StoreForensics.SampleGenerator;
using Waku.StoreForensics.Scanning;
using Waku.StoreForensics.Schema;
using Waku.StoreForensics.Tests.Sqlite;
using Waku.StoreForensics.Validation;

namespace Waku.StoreForensics.Tests.Scanning;

public class StoreScannerPeerRowTests
{
    private static readonly ScanOptions Options = new() { RunIntegrityCheck = false };

    /// <summary>Generates a healthy store; returns the file holding its Peer table (store.sqlite3 to v0.12, else peers.db).</summary>
    private static string PeerFile(TempDir dir, MessageSchemaId layout)
    {
        GroundTruthManifest manifest = SampleStoreGenerator.Generate(dir.Path, new SampleStoreOptions { Layout = layout, MessageCount = 30, Seed = 5, PeerCount = 5 });
        return Path.Combine(dir.Path, manifest.PeerFile!);
    }

    /// <summary>Cuts the storedInfo of the smallest peer ID after 60 bytes: inside an address or protocol field.</summary>
    private static byte[] TruncateOneStoredInfo(string path)
    {
        using var c = new SqliteConnection($"Data Source={path};Pooling=False");
        c.Open();
        byte[] peerId = (byte[])RandomDatabase.Query(c, "SELECT peerId FROM Peer ORDER BY peerId LIMIT 1")[0][0]!;
        using var update = c.CreateCommand();
        update.CommandText = "UPDATE Peer SET storedInfo = substr(storedInfo, 1, 60) WHERE peerId = $id";
        update.Parameters.AddWithValue("$id", peerId);
        Assert.Equal(1, update.ExecuteNonQuery());
        return peerId;
    }

    [Theory]
    [InlineData(MessageSchemaId.S1, "store.sqlite3")]
    [InlineData(MessageSchemaId.S10, "peers.db")]
    public void Scan_HealthyPeerTable_ValidatesEveryPeerWithoutFindings(MessageSchemaId layout, string fileName)
    {
        using var dir = new TempDir();
        string path = PeerFile(dir, layout);
        Assert.Equal(fileName, Path.GetFileName(path));

        ScanReport report = StoreScanner.Scan(path, Options);

        Assert.Equal(5, report.PeerRowsRead);
        Assert.Equal("FourColumns", report.PeerLayout);
        Assert.DoesNotContain(report.Findings, f => f.Location.Table == "Peer");
        Assert.True(report.Healthy, string.Join("\n", report.Findings));
    }

    [Theory]
    [InlineData(MessageSchemaId.S1)]
    [InlineData(MessageSchemaId.S10)]
    public void Scan_PeerWithTruncatedStoredInfo_ReportsItAtItsRow(MessageSchemaId layout)
    {
        using var dir = new TempDir();
        string path = PeerFile(dir, layout);
        byte[] damaged = TruncateOneStoredInfo(path);
        SqliteConnection.ClearAllPools();

        ScanReport report = StoreScanner.Scan(path, Options);

        Assert.False(report.Healthy);
        Finding finding = Assert.Single(report.Findings, f => f.Location.Table == "Peer");
        Assert.Equal(FindingKind.StoredInfoTruncated, finding.Kind);
        Assert.Equal(Convert.ToHexStringLower(damaged), finding.Location.Key);
        Assert.Equal("storedInfo", finding.Location.Column);
        Assert.NotNull(finding.Location.Page);
        Assert.Equal(1, report.Counts[FindingKind.StoredInfoTruncated]);
    }
}
