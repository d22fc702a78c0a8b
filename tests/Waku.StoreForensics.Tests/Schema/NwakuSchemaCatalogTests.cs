using CsCheck;
using Waku.StoreForensics.Schema;

namespace Waku.StoreForensics.Tests.Schema;

public class NwakuSchemaCatalogTests
{
    [Fact]
    public void Catalog_EveryTableIsWithoutRowidWithAPrimaryKey()
    {
        foreach (TableSchema schema in NwakuSchemaCatalog.MessageSchemas.Cast<TableSchema>().Concat(NwakuSchemaCatalog.PeerSchemas))
        {
            Assert.NotEmpty(schema.PrimaryKey);
            Assert.All(schema.StoredSqlVariants, sql => Assert.EndsWith("WITHOUT ROWID", sql, StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData(MessageSchemaId.S1, new[] { "id" })]
    [InlineData(MessageSchemaId.S4, new[] { "senderTimestamp", "id", "pubsubTopic" })]
    [InlineData(MessageSchemaId.S7, new[] { "storedAt", "id", "pubsubTopic" })]
    [InlineData(MessageSchemaId.S9, new[] { "messageHash" })]
    [InlineData(MessageSchemaId.Native, new[] { "messageHash" })]
    public void Catalog_PrimaryKeys(MessageSchemaId id, string[] expected) =>
        Assert.Equal(expected, NwakuSchemaCatalog.Get(id).PrimaryKey);

    [Fact]
    public void RecordOrder_PutsPrimaryKeyFirst()
    {
        MessageTableSchema s7 = NwakuSchemaCatalog.Get(MessageSchemaId.S7);
        Assert.Equal(["storedAt", "id", "pubsubTopic", "contentTopic", "payload", "version", "timestamp"], s7.RecordOrder.Select(i => s7.Columns[i].Name));
    }

    [Fact]
    public void RecordToDeclaredOrder_InvertsRecordOrder_ForEveryLayout()
    {
        FixedSample.Run(Gen.Int[0, 1000].Array[11], values =>
        {
            foreach (MessageTableSchema schema in NwakuSchemaCatalog.MessageSchemas)
            {
                object?[] declared = values.Take(schema.Columns.Count).Select(v => (object?)(long)v).ToArray();
                object?[] record = schema.RecordOrder.Select(i => declared[i]).ToArray();
                Assert.Equal(declared, schema.RecordToDeclaredOrder(record));
            }
        }, iter: 100, seed: "0N0XIzNsQ0O2");
    }

    [Fact]
    public void RecordToDeclaredOrder_ShortS9Record_ReadsMissingMetaAsNull()
    {
        MessageTableSchema s9 = NwakuSchemaCatalog.Get(MessageSchemaId.S9);
        object?[] declared = s9.RecordToDeclaredOrder(Enumerable.Range(0, 8).Select(i => (object?)(long)i).ToArray());
        Assert.Null(declared[s9.IndexOf("meta")]);
        Assert.Equal(0L, declared[s9.IndexOf("messageHash")]);
    }

    [Fact]
    public void Releases_UserVersionsAgreeWithTheLayoutsTheyWrite()
    {
        foreach (NwakuReleaseRange release in NwakuReleases.All)
        {
            Assert.Contains(release.MessageUserVersion, NwakuSchemaCatalog.Get(release.MessageLayout).UserVersions);
        }

        Assert.Equal(["v0.3", "v0.23.0"], new[] { MessageSchemaId.S1, MessageSchemaId.S8 }.Select(l => NwakuReleases.Producing(l)[0].FirstTag));
    }

    [Fact]
    public void Latest_IsS10WithOnlyTsIndexOnAFreshFile()
    {
        Assert.Equal(MessageSchemaId.S10, NwakuSchemaCatalog.Latest.Id);
        Assert.Equal(["i_ts"], NwakuSchemaCatalog.Latest.Indexes.Where(i => i.IsCreatedAtStart).Select(i => i.Name));
    }
}
