using System.Text;
using Waku.StoreForensics.Schema;
using Waku.StoreForensics.Sqlite;
using Waku.StoreForensics.Store;

namespace Waku.StoreForensics.Reseed;

/// <summary>
/// What the local Message table holds, as two sets: the primary keys of its rows (what SQLite itself would
/// refuse to store twice) and, where the layout keeps enough of the WakuMessage to compute it, each row's
/// deterministic message hash (what a store v3 peer lists).
/// </summary>
internal sealed class LocalMessageIndex
{
    private readonly HashSet<UInt128> _keys = [];
    private readonly HashSet<MessageHashKey> _hashes = [];
    private readonly int _pubsub, _content, _payload, _meta, _time;

    private LocalMessageIndex(MessageTableSchema schema)
    {
        Schema = schema;
        _pubsub = schema.IndexOf(ColumnRole.PubsubTopic);
        _content = schema.IndexOf(ColumnRole.ContentTopic);
        _payload = schema.IndexOf(ColumnRole.Payload);
        _meta = schema.IndexOf(ColumnRole.Meta);
        // The WakuMessage timestamp in ns: S3+ keep the sender's, S10/native the message time. S0–S2 cannot give it.
        _time = schema.Columns.Select((c, i) => (c, i))
            .Where(t => t.c.Role is ColumnRole.MessageTime || (t.c.Role is ColumnRole.SenderTime && t.c.Unit == TimestampUnit.Nanoseconds))
            .Select(t => t.i).DefaultIfEmpty(-1).First();
        CanComputeHashes = _pubsub >= 0 && _content >= 0 && _payload >= 0 && _time >= 0 && schema.Id != MessageSchemaId.S0;
    }

    public MessageTableSchema Schema { get; }

    /// <summary>True when the layout keeps pubsub topic, content topic, payload and the message timestamp in ns.</summary>
    public bool CanComputeHashes { get; }

    public long Count => _keys.Count;

    /// <summary>
    /// Reads every row of <paramref name="table"/> with our own page reader (as of the last commit in the -wal):
    /// unlike SQLite, it never creates a -wal or -shm beside a file that only has to be read, as on a dry run.
    /// </summary>
    public static LocalMessageIndex Read(SqliteDatabase database, string table, MessageTableSchema schema, CancellationToken cancellationToken)
    {
        var index = new LocalMessageIndex(schema);
        if (database.FindObject(table) is not { RootPage: > 0 } entry)
        {
            return index;
        }

        foreach (var row in database.ReadRows(entry.RootPage, database.GetTableDefinition(entry.Name)))
        {
            cancellationToken.ThrowIfCancellationRequested();
            index.Add(row.Values);
        }

        return index;
    }

    /// <summary>Records a row now in the table.</summary>
    public void Add(object?[] row)
    {
        _keys.Add(Schema.KeyFingerprint(row));
        if (HashOf(row) is { } hash)
        {
            _hashes.Add(MessageHashKey.From(hash));
        }
    }

    public bool HasKey(object?[] row) => _keys.Contains(Schema.KeyFingerprint(row));

    public bool HasHash(ReadOnlySpan<byte> messageHash) => _hashes.Contains(MessageHashKey.From(messageHash));

    private byte[]? HashOf(object?[] row)
    {
        if (!CanComputeHashes || row[_time] is not long timestamp)
        {
            return null;
        }

        return NwakuMessageKeys.ComputeMessageHash(Bytes(row[_pubsub]), Bytes(row[_payload]), Bytes(row[_content]), _meta >= 0 ? Bytes(row[_meta]) : [], timestamp);
    }

    private static byte[] Bytes(object? value) => value switch
    {
        byte[] b => b,
        string s => Encoding.UTF8.GetBytes(s),
        _ => [],
    };
}
