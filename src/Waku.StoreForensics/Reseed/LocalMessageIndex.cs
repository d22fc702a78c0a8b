using System.Buffers.Binary;
using System.Security.Cryptography;
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
    private readonly HashSet<MessageHashKey> _keys = [];
    private readonly HashSet<MessageHashKey> _hashes = [];
    private readonly int[] _keyColumns;
    private readonly int _pubsub, _content, _payload, _meta, _time;

    private LocalMessageIndex(MessageTableSchema schema)
    {
        Schema = schema;
        _keyColumns = schema.PrimaryKey.Select(schema.IndexOf).ToArray();
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
        _keys.Add(KeyOf(row));
        if (HashOf(row) is { } hash)
        {
            _hashes.Add(MessageHashKey.From(hash));
        }
    }

    public bool HasKey(object?[] row) => _keys.Contains(KeyOf(row));

    public bool HasHash(ReadOnlySpan<byte> messageHash) => _hashes.Contains(MessageHashKey.From(messageHash));

    /// <summary>The row's primary key as a set key: a 32-byte key itself, otherwise SHA-256 of its values.</summary>
    private MessageHashKey KeyOf(object?[] row)
    {
        if (_keyColumns.Length == 1 && row[_keyColumns[0]] is byte[] { Length: NwakuMessageKeys.KeyLength } key)
        {
            return MessageHashKey.From(key);
        }

        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> number = stackalloc byte[9];
        foreach (int column in _keyColumns)
        {
            switch (row[column])
            {
                case long l:
                    number[0] = 1;
                    BinaryPrimitives.WriteInt64BigEndian(number[1..], l);
                    sha.AppendData(number);
                    break;
                case double d:
                    number[0] = 2;
                    BinaryPrimitives.WriteDoubleBigEndian(number[1..], d);
                    sha.AppendData(number);
                    break;
                case var value:
                    // Text and blobs alike (nwaku binds topics as BLOB): tag, length, bytes.
                    byte[] bytes = value switch { byte[] b => b, string s => Encoding.UTF8.GetBytes(s), _ => [] };
                    number[0] = value is null ? (byte)0 : (byte)3;
                    BinaryPrimitives.WriteInt64BigEndian(number[1..], bytes.Length);
                    sha.AppendData(number);
                    sha.AppendData(bytes);
                    break;
            }
        }

        Span<byte> digest = stackalloc byte[32];
        sha.GetHashAndReset(digest);
        return MessageHashKey.From(digest);
    }

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
