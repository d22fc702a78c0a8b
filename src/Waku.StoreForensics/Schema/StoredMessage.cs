using System.Globalization;
using System.Text;

namespace Waku.StoreForensics.Schema;

/// <summary>
/// A message as an nwaku archive received it, independent of any table layout: the WakuMessage fields that
/// nwaku persists plus the pubsub topic and the node's receive time.
/// </summary>
/// <param name="PubsubTopic">Pubsub topic the message arrived on.</param>
/// <param name="ContentTopic">Content topic (for layout S0: a decimal uint32).</param>
/// <param name="Payload">WakuMessage payload.</param>
/// <param name="Version">WakuMessage version.</param>
/// <param name="Timestamp">WakuMessage timestamp in Unix nanoseconds, 0 when the sender set none.</param>
/// <param name="Meta">WakuMessage meta, null when absent.</param>
/// <param name="ReceivedAt">The node's clock when it stored the message, Unix nanoseconds.</param>
public sealed record StoredMessage(
    string PubsubTopic,
    string ContentTopic,
    byte[] Payload,
    uint Version,
    long Timestamp,
    byte[]? Meta,
    long ReceivedAt)
{
    /// <summary>
    /// The row nwaku writes for this message into <paramref name="schema"/>, values in declaration order, with
    /// the keys computed by <see cref="NwakuMessageKeys"/> and each time in the column's unit:
    /// whole seconds (S0/S1), REAL seconds (S2), nanoseconds (S3+); <c>storedAt</c> is the message time when
    /// set, else the receive time (v0.12+ archive); S10 and native keep the message time. An empty payload or meta
    /// is NULL, as nwaku's <c>bindParam</c> binds an empty byte sequence.
    /// </summary>
    public object?[] ToRow(MessageTableSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        byte[] pubsub = Encoding.UTF8.GetBytes(PubsubTopic);
        byte[] content = Encoding.UTF8.GetBytes(ContentTopic);
        byte[] meta = Meta ?? [];
        long storedAt = Timestamp > 0 ? Timestamp : ReceivedAt;
        var row = new object?[schema.Columns.Count];
        for (int i = 0; i < row.Length; i++)
        {
            ColumnDefinition column = schema.Columns[i];
            row[i] = column.Role switch
            {
                ColumnRole.PubsubTopic => pubsub,
                ColumnRole.ContentTopic when schema.Id == MessageSchemaId.S0 => (long)ParseIntegerTopic(),
                ColumnRole.ContentTopic => content,
                ColumnRole.Payload => NullIfEmpty(Payload),
                ColumnRole.Version => (long)Version,
                ColumnRole.Meta => NullIfEmpty(Meta),
                ColumnRole.MessageDigest when schema.Id == MessageSchemaId.S0 => NwakuMessageKeys.ComputeDigestOfIntegerTopic(ParseIntegerTopic(), Payload),
                ColumnRole.MessageDigest when schema.Id == MessageSchemaId.S10 => null, // v0.35+ inserts leave id NULL
                ColumnRole.MessageDigest => NwakuMessageKeys.ComputeDigest(content, Payload),
                ColumnRole.MessageHash => NwakuMessageKeys.ComputeMessageHash(pubsub, Payload, content, meta, Timestamp),
                ColumnRole.ReceiveTime => ToUnit(schema.Id >= MessageSchemaId.S6 ? storedAt : ReceivedAt, column.Unit),
                ColumnRole.SenderTime => ToUnit(Timestamp, column.Unit),
                ColumnRole.MessageTime => Timestamp,
                _ => throw new ArgumentException($"Column {column.Name} of {schema.Id} is not a Message column.", nameof(schema)),
            };
        }

        return row;
    }

    private static byte[]? NullIfEmpty(byte[]? value) => value is { Length: > 0 } ? value : null;

    private uint ParseIntegerTopic() =>
        uint.TryParse(ContentTopic, NumberStyles.None, CultureInfo.InvariantCulture, out uint topic)
            ? topic
            : throw new InvalidOperationException($"Layout S0 stores content topics as uint32; \"{ContentTopic}\" is not one.");

    // Each arm boxed on its own: a switch over long and double arms would otherwise unify to double.
    private static object ToUnit(long nanoseconds, TimestampUnit unit) => unit switch
    {
        TimestampUnit.WholeSeconds => (object)(nanoseconds / 1_000_000_000),
        TimestampUnit.FractionalSeconds => (object)(nanoseconds / 1e9),
        _ => (object)nanoseconds,
    };
}
