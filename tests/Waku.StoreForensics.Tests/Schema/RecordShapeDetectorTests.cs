using System.Text;
using Waku.StoreForensics.Schema;
using Waku.StoreForensics.Validation;

namespace Waku.StoreForensics.Tests.Schema;

public class RecordShapeDetectorTests
{
    private static readonly StoredMessage Sample = new("/waku/2/rs/1/4", "/toy-chat/2/huilong/proto", Encoding.UTF8.GetBytes("hello waku"), 0,
        1_748_779_200_123_456_789, [9, 9], 1_748_779_200_223_456_789);

    // fileformat2 §2.1 serial types of the values as SQLite writes them.
    internal static long SerialType(object? value) => value switch
    {
        null => 0,
        long l when l == 0 => 8,
        long l when l == 1 => 9,
        long l when l is >= sbyte.MinValue and <= sbyte.MaxValue => 1,
        long l when l is >= short.MinValue and <= short.MaxValue => 2,
        long l when l is >= -8_388_608 and <= 8_388_607 => 3,
        long l when l is >= int.MinValue and <= int.MaxValue => 4,
        long l when l is >= -140_737_488_355_328 and <= 140_737_488_355_327 => 5,
        long => 6,
        double => 7,
        byte[] b => 12 + (2L * b.Length),
        string s => 13 + (2L * Encoding.UTF8.GetByteCount(s)),
        _ => throw new ArgumentException("unsupported"),
    };

    private static long[] RecordSerialTypes(TableSchema schema, object?[] declared) =>
        schema.RecordOrder.Select(i => SerialType(declared[i])).ToArray();

    public static TheoryData<MessageSchemaId> Layouts => new(NwakuSchemaCatalog.MessageSchemas.Select(s => s.Id));

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Classify_RecordOfEachLayout_BestMatchIsThatLayout(MessageSchemaId id)
    {
        MessageTableSchema schema = NwakuSchemaCatalog.Get(id);
        StoredMessage message = id == MessageSchemaId.S0 ? Sample with { ContentTopic = "3" } : Sample;
        long[] serialTypes = RecordSerialTypes(schema, message.ToRow(schema));

        IReadOnlyList<RecordShapeMatch> matches = RecordShapeDetector.Classify(serialTypes);

        Assert.NotEmpty(matches);
        int best = matches[0].Score;
        Assert.Contains(matches.TakeWhile(m => m.Score == best), m => m.Shape.Table == schema && m.Shape.IndexName is null);
    }

    [Fact]
    public void Classify_S2RecordWithRealTimes_IsS2NotS3()
    {
        MessageTableSchema s2 = NwakuSchemaCatalog.Get(MessageSchemaId.S2);
        IReadOnlyList<RecordShapeMatch> matches = RecordShapeDetector.Classify(RecordSerialTypes(s2, Sample.ToRow(s2)));
        Assert.Equal(MessageSchemaId.S2, ((MessageTableSchema)matches[0].Shape.Table).Id);
    }

    [Fact]
    public void Classify_S9RowOlderThanMetaColumn_StillMatchesS9()
    {
        MessageTableSchema s9 = NwakuSchemaCatalog.Get(MessageSchemaId.S9);
        long[] serialTypes = RecordSerialTypes(s9, Sample.ToRow(s9))[..^1]; // written before ALTER TABLE ADD COLUMN meta

        Assert.Contains(RecordShapeDetector.Classify(serialTypes), m => m.Shape.Table == s9 && m.Shape.IndexName is null);
    }

    [Fact]
    public void Classify_KeyOfWrongLength_MatchesNoMessageTable()
    {
        MessageTableSchema native = NwakuSchemaCatalog.Get(MessageSchemaId.Native);
        object?[] row = Sample.ToRow(native);
        row[0] = new byte[20];

        Assert.DoesNotContain(RecordShapeDetector.Classify(RecordSerialTypes(native, row)), m => m.Shape.Table == native);
    }

    [Fact]
    public void Classify_TsIndexRecordOfS10_IsIndexShape()
    {
        // i_ts record of a WITHOUT ROWID table: (timestamp, messageHash)
        IReadOnlyList<RecordShapeMatch> matches = RecordShapeDetector.Classify([6, 12 + 64]);
        Assert.Contains(matches, m => m.Shape.IndexName == "i_ts" && ((MessageTableSchema)m.Shape.Table).Id == MessageSchemaId.S10);
        Assert.DoesNotContain(matches, m => m.Shape.IndexName is null && m.Shape.Table is MessageTableSchema);
    }

    [Fact]
    public void Vote_ManyRecordsOfS7_ElectS7()
    {
        MessageTableSchema s7 = NwakuSchemaCatalog.Get(MessageSchemaId.S7);
        var records = Enumerable.Range(0, 50)
            .Select(i => RecordSerialTypes(s7, (Sample with { Payload = new byte[i * 10], Version = (uint)(i % 2) }).ToRow(s7)))
            .ToList();

        RecordShapeVote winner = RecordShapeDetector.Vote(records)[0];

        Assert.Equal(s7, winner.Shape.Table);
        Assert.Equal(50, winner.MatchedRecords);
    }

    [Theory]
    [InlineData(0L, StorageClasses.Null)]
    [InlineData(6L, StorageClasses.Integer)]
    [InlineData(7L, StorageClasses.Real)]
    [InlineData(9L, StorageClasses.Integer)]
    [InlineData(10L, StorageClasses.None)]
    [InlineData(12L, StorageClasses.Blob)]
    [InlineData(13L, StorageClasses.Text)]
    public void StorageClassOf_SerialTypes(long serialType, StorageClasses expected) =>
        Assert.Equal(expected, RecordShapeDetector.StorageClassOf(serialType));
}

public class SchemaVersusRecordsTests
{
    private static readonly StoredMessage Sample = new("/waku/2/default-waku/proto", "/toy-chat/2/huilong/proto", [1, 2, 3, 4], 0,
        1_625_000_000L * 1_000_000_000, null, 1_625_000_001L * 1_000_000_000);

    private static List<long[]> Records(MessageSchemaId id, int count)
    {
        MessageTableSchema schema = NwakuSchemaCatalog.Get(id);
        return Enumerable.Range(0, count)
            .Select(i => schema.RecordOrder.Select(c => RecordShapeDetectorTests.SerialType((Sample with { Payload = new byte[i + 1] }).ToRow(schema)[c])).ToArray())
            .ToList();
    }

    [Fact]
    public void CompareWithRecords_S1RecordsUnderS2Entry_Disagree()
    {
        List<long[]> records = Records(MessageSchemaId.S1, 40);

        IReadOnlyList<Finding> findings = SchemaDetector.CompareWithRecords(NwakuSchemaCatalog.Get(MessageSchemaId.S2), RecordShapeDetector.Vote(records), records.Count, out MessageTableSchema? inferred);

        Assert.Equal(MessageSchemaId.S1, inferred?.Id);
        Finding finding = Assert.Single(findings);
        Assert.Equal(FindingKind.RecordsDisagreeWithSchema, finding.Kind);
        Assert.Contains("0 of 40 records fit it", finding.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void CompareWithRecords_MatchingLayout_NoFinding()
    {
        List<long[]> records = Records(MessageSchemaId.S10, 30);
        MessageTableSchema s10 = NwakuSchemaCatalog.Get(MessageSchemaId.S10);

        Assert.Empty(SchemaDetector.CompareWithRecords(s10, RecordShapeDetector.Vote(records), records.Count, out MessageTableSchema? inferred));
        Assert.Equal(s10, inferred);
    }

    [Fact]
    public void CompareWithRecords_LostSchemaEntry_InfersLayout_AndUserVersionCheckStillNames791()
    {
        List<long[]> records = Records(MessageSchemaId.S1, 25);

        IReadOnlyList<Finding> findings = SchemaDetector.CompareWithRecords(null, RecordShapeDetector.Vote(records), records.Count, out MessageTableSchema? inferred);

        Assert.Equal(FindingKind.LayoutInferredFromRecords, Assert.Single(findings).Kind);
        Assert.Equal(FindingKind.V04LayoutUnderUserVersion2, Assert.Single(SchemaDetector.CheckUserVersion(inferred!, 2)).Kind);
    }
}
