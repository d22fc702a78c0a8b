using System.Globalization;
using Google.Protobuf;
using Waku.StoreForensics.Schema;
using Beta3Message = Waku.StoreForensics.Store.Protos.Beta3.WakuMessage;
using V04 = Waku.StoreForensics.Store.Protos.Beta3V04;
using V05 = Waku.StoreForensics.Store.Protos.Beta3V05;

namespace Waku.StoreForensics.Store;

/// <summary>A beta3 cursor as the node sent it; echoed back field for field (nwaku v0.4 looks it up by digest and
/// received time, v0.5–v0.7 by sender time).</summary>
internal sealed record Beta3Cursor(byte[] Digest, double ReceiverTime, double? SenderTime)
{
    /// <summary>Identity of the cursor for repeat detection: every field, bit for bit.</summary>
    public string Key => string.Create(CultureInfo.InvariantCulture,
        $"{Convert.ToHexString(Digest)}/{BitConverter.DoubleToInt64Bits(ReceiverTime)}/{(SenderTime is { } s ? BitConverter.DoubleToInt64Bits(s) : "-")}");
}

/// <summary>A beta3 HistoryRPC response read in one encoding.</summary>
internal sealed record Beta3Response(Beta3Encoding Encoding, string RequestId, IReadOnlyList<Beta3Message> Messages, Beta3Cursor? Cursor, ulong? PageSize, uint Error)
{
    /// <summary>True when <paramref name="other"/> carries the same messages, cursor, page size and error: then which
    /// encoding the node used makes no difference to what it said.</summary>
    public bool SaysTheSameAs(Beta3Response other) =>
        RequestId == other.RequestId && Error == other.Error && PageSize == other.PageSize && Messages.SequenceEqual(other.Messages) &&
        (Cursor is null ? other.Cursor is null : other.Cursor is not null && Cursor.Key == other.Cursor.Key);
}

/// <summary>
/// Reads a beta3 response frame in a given encoding, strictly: a field the encoding does not define (or defines with
/// another wire type) anywhere in the message makes the reading fail, since that is exactly what a response in the
/// other encoding looks like.
/// </summary>
internal static class Beta3Codec
{
    // Largest Unix time in seconds whose nanoseconds fit a long (year 2262).
    private const double MaxSeconds = long.MaxValue / 1e9;

    private static readonly MessageParser<V04.HistoryRPC> V04Discarding = V04.HistoryRPC.Parser.WithDiscardUnknownFields(true);
    private static readonly MessageParser<V05.HistoryRPC> V05Discarding = V05.HistoryRPC.Parser.WithDiscardUnknownFields(true);

    public static Beta3Encoding Other(Beta3Encoding encoding) =>
        encoding == Beta3Encoding.Nwaku03To04 ? Beta3Encoding.Nwaku05To07 : Beta3Encoding.Nwaku03To04;

    /// <summary>The response, or why the frame is not one in <paramref name="encoding"/>. Never throws on data.</summary>
    public static (Beta3Response? Response, string? Failure) Read(byte[] frame, Beta3Encoding encoding)
    {
        try
        {
            return encoding == Beta3Encoding.Nwaku03To04 ? ReadV04(frame) : ReadV05(frame);
        }
        catch (InvalidProtocolBufferException e)
        {
            return (null, $"does not decode ({e.Message})");
        }
    }

    // Parsed twice, keeping and discarding unknown fields: the sizes differ exactly when an unknown field was present
    // at any depth. Google.Protobuf keeps a field whose wire type does not match its declaration as unknown too.
    private static (Beta3Response?, string?) ReadV04(byte[] frame)
    {
        var rpc = V04.HistoryRPC.Parser.ParseFrom(frame);
        if (rpc.CalculateSize() != V04Discarding.ParseFrom(frame).CalculateSize())
        {
            return (null, "has fields this encoding does not define");
        }

        if (rpc.Response is not { } r)
        {
            return (null, "carries no response");
        }

        var c = r.PagingInfo?.Cursor;
        var cursor = c is null ? null : new Beta3Cursor(c.Digest.ToByteArray(), c.ReceivedTime, null);
        return Finish(new Beta3Response(Beta3Encoding.Nwaku03To04, rpc.RequestId, r.Messages, cursor, r.PagingInfo is { HasPageSize: true } p ? p.PageSize : null, 0));
    }

    private static (Beta3Response?, string?) ReadV05(byte[] frame)
    {
        var rpc = V05.HistoryRPC.Parser.ParseFrom(frame);
        if (rpc.CalculateSize() != V05Discarding.ParseFrom(frame).CalculateSize())
        {
            return (null, "has fields this encoding does not define");
        }

        if (rpc.Response is not { } r)
        {
            return (null, "carries no response");
        }

        var c = r.PagingInfo?.Cursor;
        var cursor = c is null ? null : new Beta3Cursor(c.Digest.ToByteArray(), c.ReceiverTime, c.HasSenderTime ? c.SenderTime : null);
        return Finish(new Beta3Response(Beta3Encoding.Nwaku05To07, rpc.RequestId, r.Messages, cursor, r.PagingInfo is { HasPageSize: true } p ? p.PageSize : null, (uint)r.Error));
    }

    private static (Beta3Response?, string?) Finish(Beta3Response response)
    {
        // nwaku v0.3–v0.7 answers an empty page with the request's cursor, which on a first page is the default
        // Index(): an empty digest there means no cursor.
        if (response.Cursor is { Digest.Length: 0 })
        {
            response = response with { Cursor = null };
        }

        if (response.Cursor is { } c)
        {
            if (c.Digest.Length != NwakuMessageKeys.KeyLength)
            {
                return (null, $"has a cursor digest of {c.Digest.Length} bytes, not 32");
            }

            if (!IsTime(c.ReceiverTime) || (c.SenderTime is { } s && !IsTime(s)))
            {
                return (null, "has a cursor time that is not a finite, non-negative number of seconds");
            }
        }

        return (response, null);
    }

    /// <summary>Why message <c>i</c> of the response cannot be a stored message, for the first such one; null when all can.</summary>
    public static string? FirstMalformedMessage(Beta3Response response)
    {
        for (int i = 0; i < response.Messages.Count; i++)
        {
            if (Malformed(response.Messages[i]) is { } why)
            {
                return $"message {i + 1}: {why}";
            }
        }

        return null;
    }

    /// <summary>Why a message of the era cannot be valid, or null.</summary>
    public static string? Malformed(Beta3Message m)
    {
        if (!m.HasContentTopic || m.ContentTopic.Length == 0)
        {
            return "it has no content topic";
        }

        if (m.HasTimestamp && !IsTime(m.Timestamp))
        {
            return string.Create(CultureInfo.InvariantCulture, $"its timestamp {m.Timestamp:R} s is not a finite, non-negative time before 2262");
        }

        return null;
    }

    private static bool IsTime(double seconds) => double.IsFinite(seconds) && seconds >= 0 && seconds < MaxSeconds;

    /// <summary>The era's double seconds as the Unix nanoseconds the project stores, exactly as nwaku converts them
    /// (utils/time.nim <c>getNanosecondTime(float64)</c>: the double product, truncated). A double holds a 2021 time
    /// to about 240 ns, so digits below that are the conversion's, not the sender's. The value must satisfy
    /// <see cref="Malformed"/>.</summary>
    public static long ToNanoseconds(double seconds) => (long)(seconds * 1e9);

    /// <summary>Unix nanoseconds as the era's double seconds (the request's time filter).</summary>
    public static double ToSeconds(long nanoseconds) => nanoseconds / 1e9;
}
