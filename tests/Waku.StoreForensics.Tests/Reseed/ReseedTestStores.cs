using Microsoft.Data.Sqlite;
using Waku.StoreForensics.Schema;
using Waku.StoreForensics.Tests.Store.Interop;

namespace Waku.StoreForensics.Tests.Reseed;

/// <summary>Local stores for the reseed tests, built from the messages the js store peer serves.</summary>
internal static class ReseedTestStores
{
    public static StoredMessage ToStored(ServedMessage m) =>
        new(m.PubsubTopic, m.ContentTopic, m.Payload, m.Version, m.Timestamp, m.Meta, m.Timestamp);

    public static ServedMessage ToServed(StoredMessage m) =>
        new(m.PubsubTopic, m.ContentTopic, m.Payload, m.Version, m.Timestamp, m.Meta);

    /// <summary>A store of <paramref name="layout"/> holding <paramref name="messages"/>, as nwaku would have written them.</summary>
    public static string Create(string path, MessageSchemaId layout, IEnumerable<ServedMessage> messages)
    {
        var schema = NwakuSchemaCatalog.Get(layout);
        using var writer = NwakuDatabaseWriter.Create(path, schema);
        writer.InsertMessages(messages.Select(m => ToStored(m).ToRow(schema)));
        return path;
    }

    /// <summary>Every row of the Message table, each rendered as one string (blobs in hex), sorted.</summary>
    public static List<string> Rows(string path, MessageSchemaId layout)
    {
        var rows = Read(path, NwakuSchemaCatalog.Get(layout)).Select(row => string.Join("|", row.Select(value => value switch
        {
            null => "NULL",
            byte[] b => "x" + Convert.ToHexString(b),
            var v => $"{v.GetType().Name}:{Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)}",
        }))).ToList();
        rows.Sort(StringComparer.Ordinal);
        return rows;
    }

    /// <summary>The messages of an nwaku store, read through SQLite, as the js store peer serves them.</summary>
    public static List<ServedMessage> Messages(string path, MessageSchemaId layout)
    {
        var schema = NwakuSchemaCatalog.Get(layout);
        return Read(path, schema).Select(row => ToServed(Waku.StoreForensics.Recovery.MessageConversion.ToStoredMessage(row, schema))).ToList();
    }

    /// <summary>The Message table's rows (declaration order) through SQLite, read-only.</summary>
    private static List<object?[]> Read(string path, MessageTableSchema schema)
    {
        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {string.Join(", ", schema.Columns.Select(c => c.Name))} FROM {schema.TableName}";
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            rows.Add(Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? null : reader.GetValue(i)).ToArray());
        }

        return rows;
    }
}
