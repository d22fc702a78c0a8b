using Microsoft.Data.Sqlite;
using Waku.StoreForensics.Schema;

namespace Waku.StoreForensics.Tests.Schema;

public class NwakuDatabaseWriterTests
{
    [Fact]
    public void InsertMessages_ValuesOfEveryKind_KeepTheirStorageClass()
    {
        using var dir = new TempDir();
        string path = dir.File("out.db");
        var schema = NwakuSchemaCatalog.Get(MessageSchemaId.S10);
        // S10 declared order: pubsubTopic, contentTopic, payload, version, id, messageHash, timestamp, meta.
        object?[] row = [new byte[] { 1 }, "/app/1/text/proto", Array.Empty<byte>(), 0L, null, new byte[32], 1_700_000_000_000_000_000L, new byte[] { 9, 9 }];
        using (var writer = NwakuDatabaseWriter.Create(path, schema, bulkLoad: true))
        {
            Assert.Equal(1, writer.InsertMessages([row]));
            // A second row with the same key is ignored, not counted.
            Assert.Equal(0, writer.InsertMissingMessages([row]));
        }

        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT typeof(pubsubTopic), typeof(contentTopic), typeof(payload), length(payload), typeof(version), typeof(id), typeof(timestamp), hex(meta) FROM message";
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read());
        Assert.Equal(["blob", "text", "blob", "0", "integer", "null", "integer", "0909"], Enumerable.Range(0, 8).Select(i => Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)));
        Assert.False(reader.Read());
    }
}
