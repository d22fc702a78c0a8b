using CsCheck;
using System.Text;
using Microsoft.Data.Sqlite;
using Waku.StoreForensics.Schema;
using Waku.StoreForensics.Sqlite;
using Waku.StoreForensics.Tests.Schema;
using Waku.StoreForensics.Validation;

namespace Waku.StoreForensics.Tests.Validation;

public class MessageRowValidatorTests
{
    private static readonly RowValidationOptions Options = new() { Now = new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero) };

    // 2025-06-01T12:00:00Z in ns
    private const long Time2025 = 1_748_779_200L * 1_000_000_000;

    private static StoredMessage Message(string contentTopic = "/toy-chat/2/huilong/proto", long timestamp = Time2025, byte[]? meta = null) =>
        new("/waku/2/rs/1/4", contentTopic, Encoding.UTF8.GetBytes("hello waku"), 0, timestamp, meta, timestamp + 1_500_000);

    public static TheoryData<MessageSchemaId> RealLayouts => new(NwakuSchemaCatalog.MessageSchemas.Where(s => s.Id != MessageSchemaId.S0).Select(s => s.Id));

    [Theory]
    [MemberData(nameof(RealLayouts))]
    public void Validate_RowAsNwakuWritesIt_HasNoFindings(MessageSchemaId id)
    {
        MessageTableSchema schema = NwakuSchemaCatalog.Get(id);
        object?[] row = Message(meta: id >= MessageSchemaId.S9 ? [1, 2, 3] : null).ToRow(schema);

        Assert.Empty(MessageRowValidator.Validate(schema, row, Options));
    }

    [Fact]
    public void Validate_S0RowWithIntegerTopic_HasNoFindings()
    {
        MessageTableSchema schema = NwakuSchemaCatalog.Get(MessageSchemaId.S0);
        object?[] row = Message(contentTopic: "7", timestamp: 1_606_500_000L * 1_000_000_000).ToRow(schema);

        Assert.Empty(MessageRowValidator.Validate(schema, row, Options));
        Assert.Equal(7L, row[2]);
    }

    [Theory]
    [InlineData(MessageSchemaId.S1, "id")]
    [InlineData(MessageSchemaId.S7, "id")]
    [InlineData(MessageSchemaId.S10, "messageHash")]
    [InlineData(MessageSchemaId.Native, "messageHash")]
    public void Validate_PayloadChanged_KeyMismatchOnKeyColumn(MessageSchemaId id, string keyColumn)
    {
        MessageTableSchema schema = NwakuSchemaCatalog.Get(id);
        object?[] row = Message().ToRow(schema);
        row[schema.IndexOf(ColumnRole.Payload)] = Encoding.UTF8.GetBytes("hello wakU");

        Finding finding = Assert.Single(MessageRowValidator.Validate(schema, row, Options));
        Assert.Equal(FindingKind.KeyMismatch, finding.Kind);
        Assert.Equal(Severity.Error, finding.Severity);
        Assert.Equal(keyColumn, finding.Location.Column);
        Assert.Equal(schema.TableName, finding.Location.Table);
    }

    [Fact]
    public void Validate_S9HashMismatchBeforeV023_IsNotReproducibleNotDamage()
    {
        MessageTableSchema schema = NwakuSchemaCatalog.Get(MessageSchemaId.S9);
        object?[] row = Message(timestamp: 1_690_000_000L * 1_000_000_000).ToRow(schema); // July 2023
        row[schema.IndexOf("messageHash")] = new byte[32];

        Finding finding = Assert.Single(MessageRowValidator.Validate(schema, row, Options));
        Assert.Equal(FindingKind.KeyNotReproducible, finding.Kind);
        Assert.Equal(Severity.Info, finding.Severity);
        Assert.Contains("id digest is intact", finding.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_TruncatedKey_IsMalformed()
    {
        MessageTableSchema schema = NwakuSchemaCatalog.Get(MessageSchemaId.S1);
        object?[] row = Message().ToRow(schema);
        row[0] = ((byte[])row[0]!)[..31];

        Assert.Equal(FindingKind.KeyMalformed, Assert.Single(MessageRowValidator.Validate(schema, row, Options)).Kind);
    }

    [Fact]
    public void Validate_NullInNotNullColumn_IsRequiredValueMissing()
    {
        MessageTableSchema schema = NwakuSchemaCatalog.Get(MessageSchemaId.S10);
        object?[] row = Message().ToRow(schema);
        row[schema.IndexOf("version")] = null;

        Finding finding = Assert.Single(MessageRowValidator.Validate(schema, row, Options));
        Assert.Equal(FindingKind.RequiredValueMissing, finding.Kind);
        Assert.Equal("version", finding.Location.Column);
    }

    [Fact]
    public void Validate_TopicsAsText_IsAnErrorTheKeyCannotExcuse()
    {
        // The key matches (it hashes the same bytes), yet nwaku never writes TEXT: not the row nwaku wrote.
        MessageTableSchema schema = NwakuSchemaCatalog.Get(MessageSchemaId.S10);
        object?[] row = Message().ToRow(schema);
        row[schema.IndexOf("contentTopic")] = "/toy-chat/2/huilong/proto";

        IReadOnlyList<Finding> findings = MessageRowValidator.Validate(schema, row, Options);

        Finding finding = Assert.Single(findings);
        Assert.Equal(FindingKind.TextInBlobColumn, finding.Kind);
        Assert.Equal(Severity.Error, finding.Severity);
    }

    [Theory]
    [InlineData("meta")]
    [InlineData("payload")]
    public void Validate_ZeroLengthBlob_IsAnErrorBecauseNwakuStoresEmptyAsNull(string column)
    {
        // nwaku's bindParam binds an empty byte sequence with a NULL pointer: SQLite stores NULL. A header byte
        // turned from serial type 0 (NULL) into 12 (empty BLOB) still hashes the same.
        MessageTableSchema schema = NwakuSchemaCatalog.Get(MessageSchemaId.S10);
        StoredMessage message = Message() with { Payload = column == "payload" ? [] : Encoding.UTF8.GetBytes("hello waku"), Meta = [] };
        object?[] row = message.ToRow(schema);
        Assert.Null(row[schema.IndexOf(column)]);
        Assert.Empty(MessageRowValidator.Validate(schema, row, Options));

        row[schema.IndexOf(column)] = Array.Empty<byte>();

        Finding finding = Assert.Single(MessageRowValidator.Validate(schema, row, Options));
        Assert.Equal((FindingKind.UnexpectedStorageClass, Severity.Error, column), (finding.Kind, finding.Severity, finding.Location.Column));
    }

    [Fact]
    public void Validate_EmptyMetaAsText_IsAnError()
    {
        // The case a fixed-seed fuzz run found: serial type 0 (NULL meta) damaged into 13 (empty TEXT).
        MessageTableSchema schema = NwakuSchemaCatalog.Get(MessageSchemaId.S10);
        object?[] row = Message().ToRow(schema);
        row[schema.IndexOf("meta")] = "";

        Finding finding = Assert.Single(MessageRowValidator.Validate(schema, row, Options));
        Assert.Equal((FindingKind.TextInBlobColumn, Severity.Error), (finding.Kind, finding.Severity));
    }

    [Fact]
    public void Validate_IntegerWhereBlobExpected_IsUnexpectedStorageClass()
    {
        MessageTableSchema schema = NwakuSchemaCatalog.Get(MessageSchemaId.S10);
        object?[] row = Message().ToRow(schema);
        row[schema.IndexOf("payload")] = 42L;

        Assert.Contains(MessageRowValidator.Validate(schema, row, Options), f => f.Kind == FindingKind.UnexpectedStorageClass && f.Location.Column == "payload");
    }

    [Theory]
    [InlineData(new byte[] { 0x2f, 0x61, 0xff, 0xfe })]
    [InlineData(new byte[] { 0x2f, 0x61, 0x01, 0x62 })]
    public void Validate_GarbledTopicBytes_AreTopicGarbled(byte[] garbled)
    {
        MessageTableSchema schema = NwakuSchemaCatalog.Get(MessageSchemaId.S7);
        object?[] row = Message().ToRow(schema);
        row[schema.IndexOf("pubsubTopic")] = garbled;

        IReadOnlyList<Finding> findings = MessageRowValidator.Validate(schema, row, Options);

        Assert.Contains(findings, f => f.Kind == FindingKind.TopicGarbled && f.Location.Column == "pubsubTopic" && f.Severity == Severity.Error);
    }

    [Theory]
    [InlineData("/toy-chat/2/huilong/proto", false)]
    [InlineData("/0/toy-chat/2/huilong/proto", false)]
    [InlineData("/waku/2/default-content/proto", false)]
    [InlineData("toy-chat/2/huilong/proto", true)]
    [InlineData("/toy-chat/2/proto", true)]
    [InlineData("/toy-chat//huilong/proto", true)]
    [InlineData("/x/toy-chat/2/huilong/proto", true)]
    [InlineData("", true)]
    public void Validate_ContentTopicSyntax_FollowsRfc23AsNwakuParsesIt(string topic, bool unconventional)
    {
        MessageTableSchema schema = NwakuSchemaCatalog.Get(MessageSchemaId.S10);
        object?[] row = Message(contentTopic: topic).ToRow(schema);

        IReadOnlyList<Finding> findings = MessageRowValidator.Validate(schema, row, Options);

        Assert.Equal(unconventional, findings.Any(f => f.Kind == FindingKind.ContentTopicUnconventional));
        Assert.DoesNotContain(findings, f => f.Kind == FindingKind.KeyMismatch);
    }

    [Theory]
    [InlineData("/waku/2/rs/1/4", null)]
    [InlineData("/waku/2/rs/65535/0", null)]
    [InlineData("/waku/2/default-waku/proto", null)]
    [InlineData("/waku/2/rs/65536/0", FindingKind.PubsubTopicInvalid)]
    [InlineData("/waku/2/rs/1", FindingKind.PubsubTopicInvalid)]
    [InlineData("/waku/2/rs/1/x", FindingKind.PubsubTopicInvalid)]
    [InlineData("my-app-topic", FindingKind.PubsubTopicUnconventional)]
    [InlineData("/waku/2/", FindingKind.PubsubTopicUnconventional)]
    public void Validate_PubsubTopicSyntax_StaticShardingAndNamed(string topic, FindingKind? expected)
    {
        MessageTableSchema schema = NwakuSchemaCatalog.Get(MessageSchemaId.S10);
        object?[] row = (Message() with { PubsubTopic = topic }).ToRow(schema);

        IReadOnlyList<Finding> findings = MessageRowValidator.Validate(schema, row, Options);

        if (expected is null)
        {
            Assert.Empty(findings);
        }
        else
        {
            Assert.Equal(expected, Assert.Single(findings).Kind);
        }
    }

    [Fact]
    public void Validate_FarFutureReceiveTime_IsImplausibleError()
    {
        MessageTableSchema schema = NwakuSchemaCatalog.Get(MessageSchemaId.S7);
        object?[] row = Message().ToRow(schema);
        row[schema.IndexOf("storedAt")] = 4_102_444_800L * 1_000_000_000; // 2100-01-01

        Finding finding = Assert.Single(MessageRowValidator.Validate(schema, row, Options));
        Assert.Equal(FindingKind.TimestampImplausible, finding.Kind);
        Assert.Equal(Severity.Error, finding.Severity);
        Assert.Contains("future", finding.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_FarFutureSenderTime_IsOnlyAWarning()
    {
        MessageTableSchema schema = NwakuSchemaCatalog.Get(MessageSchemaId.S4);
        object?[] row = Message().ToRow(schema);
        row[schema.IndexOf("senderTimestamp")] = 4_102_444_800L * 1_000_000_000;

        Finding finding = Assert.Single(MessageRowValidator.Validate(schema, row, Options));
        Assert.Equal((FindingKind.TimestampImplausible, Severity.Warning), (finding.Kind, finding.Severity));
    }

    [Fact]
    public void Validate_StoredAtCopiedFromOddSenderClock_IsOnlyAWarning()
    {
        // v0.12–v0.13 stored any sender timestamp and copied it into storedAt.
        MessageTableSchema schema = NwakuSchemaCatalog.Get(MessageSchemaId.S7);
        object?[] row = Message(timestamp: 4_102_444_800L * 1_000_000_000).ToRow(schema);

        IReadOnlyList<Finding> findings = MessageRowValidator.Validate(schema, row, Options);

        Assert.Equal(2, findings.Count);
        Assert.All(findings, f => Assert.Equal((FindingKind.TimestampImplausible, Severity.Warning), (f.Kind, f.Severity)));
    }

    [Fact]
    public void Validate_V04ReceiveTimeBeforeMessageTableExisted_IsImplausible()
    {
        MessageTableSchema schema = NwakuSchemaCatalog.Get(MessageSchemaId.S1);
        object?[] row = Message().ToRow(schema);
        row[schema.IndexOf("timestamp")] = 1_610_000_000L; // 2021-01-07: v0.2 era, table 'messages'

        Finding finding = Assert.Single(MessageRowValidator.Validate(schema, row, Options));
        Assert.Equal((FindingKind.TimestampImplausible, Severity.Error), (finding.Kind, finding.Severity));
        Assert.Contains("2021-04-27", finding.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NanosecondsInV04SecondsColumn_IsUnitMismatch()
    {
        MessageTableSchema schema = NwakuSchemaCatalog.Get(MessageSchemaId.S1);
        object?[] row = Message().ToRow(schema);
        row[schema.IndexOf("timestamp")] = Time2025;

        Finding finding = Assert.Single(MessageRowValidator.Validate(schema, row, Options));
        Assert.Equal(FindingKind.TimestampUnitMismatch, finding.Kind);
        Assert.Contains("nanoseconds", finding.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SecondsInNanosecondColumn_IsUnitMismatch()
    {
        MessageTableSchema schema = NwakuSchemaCatalog.Get(MessageSchemaId.Native);
        object?[] row = Message().ToRow(schema);
        long seconds = Time2025 / 1_000_000_000;
        row[schema.IndexOf("timestamp")] = seconds;
        row[schema.IndexOf("messageHash")] = NwakuMessageKeys.ComputeMessageHash(
            (byte[])row[1]!, (byte[])row[3]!, (byte[])row[2]!, [], seconds);

        Finding finding = Assert.Single(MessageRowValidator.Validate(schema, row, Options));
        Assert.Equal(FindingKind.TimestampUnitMismatch, finding.Kind);
        Assert.Contains("in seconds", finding.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_V08ReceiveTimeTimes1e8_IsRecognisedBugNotDamage()
    {
        MessageTableSchema schema = NwakuSchemaCatalog.Get(MessageSchemaId.S4);
        object?[] row = Message().ToRow(schema);
        row[schema.IndexOf("receiverTimestamp")] = 1_646_500_000L * 100_000_000; // March 2022 × 1e8

        Finding finding = Assert.Single(MessageRowValidator.Validate(schema, row, Options));
        Assert.Equal((FindingKind.TimestampFromV08Bug, Severity.Info), (finding.Kind, finding.Severity));
        Assert.Contains("2022-03-05", finding.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ZeroSenderTime_IsFine_ZeroReceiveTimeIsNot()
    {
        MessageTableSchema schema = NwakuSchemaCatalog.Get(MessageSchemaId.S2);
        object?[] row = Message().ToRow(schema);
        row[schema.IndexOf("senderTimestamp")] = 0.0;
        Assert.Empty(MessageRowValidator.Validate(schema, row, Options));

        row[schema.IndexOf("receiverTimestamp")] = 0.0;
        Assert.Equal(FindingKind.TimestampImplausible, Assert.Single(MessageRowValidator.Validate(schema, row, Options)).Kind);
    }

    [Theory]
    [InlineData(-1L, Severity.Error)]
    [InlineData(4_294_967_296L, Severity.Error)]
    [InlineData(7L, Severity.Info)]
    public void Validate_Version_OutOfUint32IsErrorUnknownIsInfo(long version, Severity severity)
    {
        MessageTableSchema schema = NwakuSchemaCatalog.Get(MessageSchemaId.S7);
        object?[] row = Message().ToRow(schema);
        row[schema.IndexOf("version")] = version;

        Finding finding = Assert.Single(MessageRowValidator.Validate(schema, row, Options));
        Assert.Equal((FindingKind.VersionInvalid, severity), (finding.Kind, finding.Severity));
    }

    [Fact]
    public void Validate_MetaOver64Bytes_IsMetaTooLarge()
    {
        MessageTableSchema schema = NwakuSchemaCatalog.Get(MessageSchemaId.Native);
        object?[] row = Message(meta: new byte[65]).ToRow(schema);

        Finding finding = Assert.Single(MessageRowValidator.Validate(schema, row, Options));
        Assert.Equal(FindingKind.MetaTooLarge, finding.Kind);
    }

    [Fact]
    public void Validate_PayloadOver1MiB_IsPayloadTooLarge()
    {
        MessageTableSchema schema = NwakuSchemaCatalog.Get(MessageSchemaId.S1);
        object?[] row = (Message() with { Payload = new byte[MessageRowValidator.MaxPayloadBytes + 1] }).ToRow(schema);

        Assert.Equal(FindingKind.PayloadTooLarge, Assert.Single(MessageRowValidator.Validate(schema, row, Options)).Kind);
    }

    [Fact]
    public void Validate_WrongColumnCount_IsRowShapeMismatch()
    {
        MessageTableSchema schema = NwakuSchemaCatalog.Get(MessageSchemaId.S1);
        Assert.Equal(FindingKind.RowShapeMismatch, Assert.Single(MessageRowValidator.Validate(schema, new object?[3], Options)).Kind);
    }

    [Fact]
    public void Validate_FindingLocation_CarriesPageOffsetAndKey()
    {
        MessageTableSchema schema = NwakuSchemaCatalog.Get(MessageSchemaId.S7);
        object?[] row = Message().ToRow(schema);
        row[schema.IndexOf("version")] = -5L;

        Finding finding = Assert.Single(MessageRowValidator.Validate(schema, row, Options, new Location(Page: 12, Offset: 3012)));

        Assert.Equal(12, finding.Location.Page);
        Assert.Equal(3012, finding.Location.Offset);
        Assert.Equal($"{row[6]}|{Convert.ToHexStringLower((byte[])row[5]!)}|{Convert.ToHexStringLower((byte[])row[0]!)}", finding.Location.Key);
    }

    [Fact]
    public void Validate_V04RowsMigratedToS10ByNwakuScripts_KeepDigestAndGetRandomHashes()
    {
        // Real migration path: a v0.4 file, then nwaku's scripts 00002..00010 replayed over its rows.
        string path = SqliteFixtures.NewPath("store.sqlite3");
        MessageTableSchema s1 = NwakuSchemaCatalog.Get(MessageSchemaId.S1);
        var messages = Enumerable.Range(0, 20).Select(i => Message(timestamp: 0) with
        {
            Payload = Encoding.UTF8.GetBytes($"message {i}"),
            ReceivedAt = (1_623_000_000L + i) * 1_000_000_000, // June 2021
        }).ToList();
        using (NwakuDatabaseWriter writer = NwakuDatabaseWriter.Create(path, s1))
        {
            writer.InsertMessages(messages.Select(m => m.ToRow(s1)));
        }

        using SqliteConnection connection = SqliteFixtures.Open(path);
        SqliteFixtures.ReplayMessageMigrations(connection, 10, from: 1);
        (int userVersion, List<SchemaObject> objects) = SqliteFixtures.ReadSchema(connection);
        MessageTableSchema detected = SchemaDetector.Detect(userVersion, objects).MessageSchema!;
        List<object?[]> rows = SqliteFixtures.ReadRows(connection, "message");

        Assert.Equal(MessageSchemaId.S10, detected.Id);
        Assert.Equal(20, rows.Count);
        foreach (object?[] row in rows)
        {
            Finding finding = Assert.Single(MessageRowValidator.Validate(detected, row, Options));
            Assert.Equal(FindingKind.KeyNotReproducible, finding.Kind);
            Assert.Contains("id digest is intact", finding.Explanation, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(MessageSchemaId.S1, "id contentTopic payload", "timestamp pubsubTopic version")]
    [InlineData(MessageSchemaId.S4, "id contentTopic payload", "receiverTimestamp pubsubTopic version senderTimestamp")]
    [InlineData(MessageSchemaId.S9, "pubsubTopic contentTopic payload timestamp id messageHash meta", "version storedAt")]
    [InlineData(MessageSchemaId.S10, "pubsubTopic contentTopic payload messageHash timestamp meta", "version id")]
    public void Verify_SaysWhichColumnsAKeyProves(MessageSchemaId id, string proven, string unproven)
    {
        MessageTableSchema schema = NwakuSchemaCatalog.Get(id);
        object?[] row = Message(meta: id >= MessageSchemaId.S9 ? [1, 2, 3] : null).ToRow(schema);

        var verification = MessageRowValidator.Verify(schema, row, Options);

        Assert.Empty(verification.Findings);
        Assert.Equal(proven.Split(' ').Order(), schema.Columns.Where((_, i) => verification.IsProven(i)).Select(c => c.Name).Order());
        Assert.Equal(unproven.Split(' ').Order(), schema.Columns.Where((_, i) => !verification.IsProven(i)).Select(c => c.Name).Order());
    }

    [Fact]
    public void Verify_RowWhoseMessageHashMigration00008Randomised_OnlyTheDigestProvesAnything()
    {
        MessageTableSchema schema = NwakuSchemaCatalog.Get(MessageSchemaId.S9);
        long before = 1_690_000_000L * 1_000_000_000; // 2023-07, before v0.23 wrote real hashes
        object?[] row = Message(timestamp: before).ToRow(schema);
        row[schema.IndexOf(ColumnRole.MessageHash)] = new byte[32];

        var verification = MessageRowValidator.Verify(schema, row, Options);

        Assert.DoesNotContain(verification.Findings, f => f.Severity == Severity.Error);
        Assert.Equal(["contentTopic", "id", "payload"], schema.Columns.Where((_, i) => verification.IsProven(i)).Select(c => c.Name).Order());
    }
}

public class MessageRowValidatorPropertyTests
{
    private static readonly RowValidationOptions Options = new() { Now = new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero) };

    private static readonly Gen<StoredMessage> Messages =
        from payload in Gen.Byte.Array[0, 3000]
        from meta in Gen.Byte.Array[0, 64]
        from hasMeta in Gen.Bool
        from version in Gen.UInt[0, 1]
        from shard in Gen.Int[0, 1023]
        from topic in Gen.Int[0, 2].Select(i => new[] { "/toy-chat/2/huilong/proto", "/0/app/1/name/json", "/waku/1/0x6e7572bd/rfc26" }[i])
        from sent in Gen.Long[1_650_000_000L * 1_000_000_000, 1_790_000_000L * 1_000_000_000]
        from delay in Gen.Long[1, 900_000_000]
        select new StoredMessage($"/waku/2/rs/1/{shard}", topic, payload, version, sent, hasMeta ? meta : null, sent + delay);

    private static readonly MessageTableSchema[] Layouts = NwakuSchemaCatalog.MessageSchemas.Where(s => s.Id != MessageSchemaId.S0).ToArray();

    [Fact]
    public void AnyMessage_AsNwakuWritesIt_ValidatesClean_InEveryLayout()
    {
        FixedSample.Run(Messages, message =>
        {
            foreach (MessageTableSchema schema in Layouts)
            {
                Assert.Empty(MessageRowValidator.Validate(schema, (schema.IndexOf(ColumnRole.Meta) < 0 ? message with { Meta = null } : message).ToRow(schema), Options));
            }
        }, iter: 100, seed: "0N0XIzNsQ0O2");
    }

    [Fact]
    public void AnyPayloadBitFlip_IsCaughtByTheKey_InEveryKeyedLayout()
    {
        FixedSample.Run(Gen.Select(Messages.Where(m => m.Payload.Length > 0), Gen.Int[0, int.MaxValue], Gen.Int[0, 7]), (message, position, bit) =>
        {
            foreach (MessageTableSchema schema in Layouts)
            {
                object?[] row = message.ToRow(schema);
                byte[] payload = ((byte[])row[schema.IndexOf(ColumnRole.Payload)]!).ToArray();
                payload[position % payload.Length] ^= (byte)(1 << bit);
                row[schema.IndexOf(ColumnRole.Payload)] = payload;

                Assert.Contains(MessageRowValidator.Validate(schema, row, Options), f => f.Kind == FindingKind.KeyMismatch);
            }
        }, iter: 100, seed: "0N0XIzNsQ0O2");
    }
}

public class MessageRowValidatorRecordTests
{
    private static readonly RowValidationOptions Options = new() { Now = new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero) };

    private static readonly StoredMessage Sample = new("/waku/2/rs/1/4", "/toy-chat/2/huilong/proto", [1, 2, 3], 0,
        1_748_779_200_123_456_789, null, 1_748_779_200_223_456_789);

    [Fact]
    public void ValidateRecord_RecordOrderOfS7_IsReorderedAndClean()
    {
        MessageTableSchema s7 = NwakuSchemaCatalog.Get(MessageSchemaId.S7);
        object?[] declared = Sample.ToRow(s7);
        object?[] record = s7.RecordOrder.Select(i => declared[i]).ToArray();

        Assert.Empty(MessageRowValidator.ValidateRecord(s7, record, Options));
        Assert.NotEmpty(MessageRowValidator.Validate(s7, record, Options)); // the same values in the wrong order are not
    }

    [Fact]
    public void ValidateRecord_S9RecordWithoutMeta_IsClean()
    {
        MessageTableSchema s9 = NwakuSchemaCatalog.Get(MessageSchemaId.S9);
        object?[] declared = Sample.ToRow(s9);
        object?[] record = s9.RecordOrder.Select(i => declared[i]).ToArray()[..^1];

        Assert.Empty(MessageRowValidator.ValidateRecord(s9, record, Options));
    }

    [Fact]
    public void ValidateRecord_TooManyValues_IsRowShapeMismatch()
    {
        MessageTableSchema s1 = NwakuSchemaCatalog.Get(MessageSchemaId.S1);
        Assert.Equal(FindingKind.RowShapeMismatch, Assert.Single(MessageRowValidator.ValidateRecord(s1, new object?[9], Options)).Kind);
    }
}
