using System.Text;
using Waku.StoreForensics.Schema;

namespace Waku.StoreForensics.Recovery;

/// <summary>Converts a Message row from one nwaku layout to another, as nwaku's migrations would.</summary>
public static class MessageConversion
{
    /// <summary>
    /// Converts <paramref name="row"/> (declaration order of <paramref name="from"/>) to the declaration order of
    /// <paramref name="to"/>. Times change unit as migrations 00002/00003 do; where a layout has no sender time
    /// (v0.4 persisted only the receive time) the receive time carries over, as 00007 and 00010 carry storedAt into
    /// <c>timestamp</c>. Keys are computed by each layout's formula from the converted values — never the random
    /// bytes migration 00008 writes — so every converted row can be found by its messageHash.
    /// </summary>
    public static object?[] Convert(object?[] row, MessageTableSchema from, MessageTableSchema to)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        return ToStoredMessage(row, from).ToRow(to);
    }

    /// <summary>The message a row holds, independent of layout.</summary>
    public static StoredMessage ToStoredMessage(object?[] row, MessageTableSchema schema)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(schema);
        object? Value(ColumnRole role)
        {
            int i = schema.IndexOf(role);
            return i >= 0 && i < row.Length ? row[i] : null;
        }

        long? Nanoseconds(ColumnRole role)
        {
            int i = schema.IndexOf(role);
            if (i < 0 || i >= row.Length || row[i] is null)
            {
                return null;
            }

            return (row[i], schema.Columns[i].Unit) switch
            {
                (long seconds, TimestampUnit.WholeSeconds) => seconds * 1_000_000_000,
                (double seconds, TimestampUnit.WholeSeconds or TimestampUnit.FractionalSeconds) => (long)(seconds * 1e9),
                (long seconds, TimestampUnit.FractionalSeconds) => seconds * 1_000_000_000,
                (long ns, _) => ns,
                (double ns, _) => (long)ns,
                _ => null,
            };
        }

        long received = Nanoseconds(ColumnRole.ReceiveTime) ?? Nanoseconds(ColumnRole.MessageTime) ?? 0;
        long sent = Nanoseconds(ColumnRole.SenderTime) ?? Nanoseconds(ColumnRole.MessageTime) ?? 0;
        return new StoredMessage(
            Text(Value(ColumnRole.PubsubTopic)),
            Value(ColumnRole.ContentTopic) is long integerTopic ? integerTopic.ToString(System.Globalization.CultureInfo.InvariantCulture) : Text(Value(ColumnRole.ContentTopic)),
            Value(ColumnRole.Payload) as byte[] ?? [],
            Value(ColumnRole.Version) is long version ? (uint)version : 0,
            sent != 0 ? sent : received,
            Value(ColumnRole.Meta) as byte[],
            received);
    }

    private static string Text(object? value) => value switch
    {
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        string s => s,
        _ => "",
    };
}
