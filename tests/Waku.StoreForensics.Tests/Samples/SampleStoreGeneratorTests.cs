using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Waku.StoreForensics.SampleGenerator;
using Waku.StoreForensics.Schema;
using Waku.StoreForensics.Sqlite;
using Waku.StoreForensics.Tests.Schema;
using Waku.StoreForensics.Validation;

namespace Waku.StoreForensics.Tests.Samples;

public class SampleStoreGeneratorTests
{
    private static readonly RowValidationOptions Options = new() { Now = new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero) };

    public static TheoryData<MessageSchemaId> GeneratedLayouts => new(
        MessageSchemaId.S0, MessageSchemaId.S1, MessageSchemaId.S2, MessageSchemaId.S4, MessageSchemaId.S7,
        MessageSchemaId.S8, MessageSchemaId.S9, MessageSchemaId.S10, MessageSchemaId.Native);

    private static (string Directory, GroundTruthManifest Manifest) Generate(MessageSchemaId layout, int seed = 7, int messages = 150)
    {
        string directory = Path.GetDirectoryName(SqliteFixtures.NewPath("x"))!;
        GroundTruthManifest manifest = SampleStoreGenerator.Generate(directory, new SampleStoreOptions { Layout = layout, Seed = seed, MessageCount = messages });
        return (directory, manifest);
    }

    [Theory]
    [MemberData(nameof(GeneratedLayouts))]
    public void Generate_File_IsDetectedAsItsLayoutWithoutProblems(MessageSchemaId layout)
    {
        (string directory, GroundTruthManifest manifest) = Generate(layout);
        using SqliteConnection connection = SqliteFixtures.Open(Path.Combine(directory, manifest.MessageFile), readOnly: true);
        (int userVersion, List<SchemaObject> objects) = SqliteFixtures.ReadSchema(connection);

        SchemaDetection detection = SchemaDetector.Detect(userVersion, objects);

        Assert.Equal(layout, detection.MessageSchema?.Id);
        Assert.Equal(manifest.UserVersion, userVersion);
        Assert.DoesNotContain(detection.Findings, f => f.Severity > Severity.Info);
        Assert.DoesNotContain(detection.Findings, f => f.Kind == FindingKind.IndexMissing);
        Assert.Equal("ok", SqliteFixtures.Scalar(connection, "PRAGMA integrity_check;"));
    }

    [Theory]
    [MemberData(nameof(GeneratedLayouts))]
    public void Generate_EveryRow_ValidatesCleanAndMatchesManifest(MessageSchemaId layout)
    {
        (string directory, GroundTruthManifest manifest) = Generate(layout);
        MessageTableSchema schema = NwakuSchemaCatalog.Get(layout);
        using SqliteConnection connection = SqliteFixtures.Open(Path.Combine(directory, manifest.MessageFile), readOnly: true);

        List<object?[]> rows = SqliteFixtures.ReadRows(connection, schema.TableName);

        Assert.Equal(manifest.MessageCount, rows.Count);
        Assert.Equal(manifest.Messages!.Select(m => m.Key).Order(StringComparer.Ordinal), rows.Select(r => MessageRowValidator.FormatKey(schema, r)).Order(StringComparer.Ordinal));
        Assert.All(rows, row => Assert.Empty(MessageRowValidator.Validate(schema, row, Options)));
        Assert.Contains(manifest.Messages!, m => m.PayloadLength >= 5 * 1024); // overflow pages are exercised
        Assert.True(manifest.OverflowingMessages > 0);
    }

    [Fact]
    public void Generate_SameSeed_ByteIdenticalFiles_OtherSeedDiffers()
    {
        (string a, _) = Generate(MessageSchemaId.S10, seed: 3);
        (string b, _) = Generate(MessageSchemaId.S10, seed: 3);
        (string c, _) = Generate(MessageSchemaId.S10, seed: 4);

        static string Hash(string dir, string file) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(dir, file))));

        Assert.Equal(Hash(a, "store.sqlite3"), Hash(b, "store.sqlite3"));
        Assert.Equal(Hash(a, "peers.db"), Hash(b, "peers.db"));
        Assert.Equal(Hash(a, "manifest.json"), Hash(b, "manifest.json"));
        Assert.NotEqual(Hash(a, "store.sqlite3"), Hash(c, "store.sqlite3"));
    }

    [Theory]
    [InlineData(MessageSchemaId.S1, "store.sqlite3", 1)]
    [InlineData(MessageSchemaId.S10, "peers.db", 1)]
    public void Generate_PeerTable_InTheFileOfItsEra(MessageSchemaId layout, string peerFile, int peerUserVersion)
    {
        (string directory, GroundTruthManifest manifest) = Generate(layout);
        using SqliteConnection connection = SqliteFixtures.Open(Path.Combine(directory, peerFile), readOnly: true);
        (int userVersion, List<SchemaObject> objects) = SqliteFixtures.ReadSchema(connection);

        SchemaDetection detection = SchemaDetector.Detect(userVersion, objects);
        List<object?[]> peers = SqliteFixtures.ReadRows(connection, "Peer");

        Assert.Equal(peerFile, manifest.PeerFile);
        Assert.Equal(peerUserVersion, userVersion);
        Assert.Equal(PeerSchemaId.FourColumns, detection.Peer?.Schema?.Id);
        Assert.True(detection.Peer!.IsExactMatch);
        Assert.Equal(12, peers.Count);
        Assert.All(peers, p =>
        {
            byte[] peerId = Assert.IsType<byte[]>(p[0]);
            Assert.Equal(39, peerId.Length); // identity multihash of a secp256k1 PublicKey (nwaku's default identity)
            Assert.Equal([0x00, 0x25, 0x08, 0x02, 0x12, 0x21], peerId[..6]);
            Assert.Equal(layout >= MessageSchemaId.S8, p[2] is null); // v0.23+ write only peerId and storedInfo
        });
    }

    [Fact]
    public void Generate_FileIsInWalModeLikeNwaku()
    {
        (string directory, GroundTruthManifest manifest) = Generate(MessageSchemaId.S1);
        byte[] header = File.ReadAllBytes(Path.Combine(directory, manifest.MessageFile))[..100];

        // fileformat2 §1.3: bytes 18/19 (write/read version) are 2 for WAL.
        Assert.Equal(2, header[18]);
        Assert.Equal(2, header[19]);
        Assert.Equal(4096, (header[16] << 8) | header[17]);
    }

    [Theory]
    [InlineData(RecordSize.MaxLocalWithoutRowid4K, 2)]
    [InlineData(RecordSize.MaxLocalWithoutRowid4K + 1, 3)]
    public void RecordSize_WithoutRowidOverflowThreshold_AgreesWithSqlite(int recordBytes, int expectedPages)
    {
        // A native-layout row grown until its record is exactly recordBytes: one more byte must cost an overflow page.
        MessageTableSchema native = NwakuSchemaCatalog.Get(MessageSchemaId.Native);
        var message = new StoredMessage("/waku/2/rs/0/0", "/a/1/b/proto", [], 0, 1_748_779_200_000_000_000, null, 1_748_779_200_000_000_000);
        object?[] row = message.ToRow(native);
        int payloadLength = recordBytes - (int)RecordSize.Of(native, row);
        while (RecordSize.Of(native, row = (message with { Payload = new byte[payloadLength] }).ToRow(native)) != recordBytes)
        {
            payloadLength += recordBytes > RecordSize.Of(native, row) ? 1 : -1;
        }

        string path = SqliteFixtures.NewPath("store.sqlite3");
        using (NwakuDatabaseWriter writer = NwakuDatabaseWriter.Create(path, native))
        {
            writer.InsertMessages([row]);
        }

        using SqliteConnection connection = SqliteFixtures.Open(path, readOnly: true);
        // pages: 1 schema, 1 table root, 1 i_ts root, plus one overflow page when the record spills
        Assert.Equal(expectedPages + 1, Convert.ToInt32(SqliteFixtures.Scalar(connection, "PRAGMA page_count;"), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("healthy-v0.4", MessageSchemaId.S1)]
    [InlineData("healthy-v0.37", MessageSchemaId.S10)]
    public void CommittedSamples_RegenerateByteForByte(string sample, MessageSchemaId layout)
    {
        string repository = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(repository, "StoreForensics.sln")))
        {
            repository = Path.GetDirectoryName(repository) ?? throw new InvalidOperationException("repository root not found");
        }

        string committed = Path.Combine(repository, "samples", "corrupt-dbs", sample);
        string fresh = Path.GetDirectoryName(SqliteFixtures.NewPath("x"))!;
        SampleStoreGenerator.Generate(fresh, new SampleStoreOptions { Layout = layout, MessageCount = 60, PeerCount = 6, Seed = 2026 });

        foreach (string file in Directory.GetFiles(committed).Select(f => Path.GetFileName(f)))
        {
            Assert.True(File.ReadAllBytes(Path.Combine(committed, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(fresh, file))), $"{sample}/{file} differs from a fresh generation");
        }
    }

    [Fact]
    public void Manifest_RoundTripsThroughJson()
    {
        (string directory, GroundTruthManifest manifest) = Generate(MessageSchemaId.S9, messages: 20);
        GroundTruthManifest loaded = GroundTruthManifest.Load(Path.Combine(directory, SampleStoreGenerator.ManifestFileName));

        Assert.Equal(manifest.KeysSha256, loaded.KeysSha256);
        Assert.Equal(manifest.Messages, loaded.Messages);
        Assert.Equal(manifest.Peers, loaded.Peers);
    }
}
