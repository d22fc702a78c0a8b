namespace Waku.StoreForensics.Store;

/// <summary>
/// One message a store node returned, after validation: when <see cref="HasData"/> its hash was recomputed
/// with <see cref="Schema.NwakuMessageKeys.ComputeMessageHash"/> and equals <see cref="MessageHash"/>.
/// For a hash-only query only <see cref="MessageHash"/> (and <see cref="PubsubTopic"/> when sent) are set.
/// </summary>
/// <param name="MessageHash">The deterministic message hash (32 bytes), the store v3 key.</param>
/// <param name="PubsubTopic">Pubsub topic, when the node sent it or the query fixed it.</param>
/// <param name="HasData">True when the message itself was received (and verified).</param>
/// <param name="ContentTopic">WakuMessage content topic.</param>
/// <param name="Payload">WakuMessage payload.</param>
/// <param name="Version">WakuMessage version.</param>
/// <param name="Timestamp">WakuMessage timestamp, Unix nanoseconds (0 when unset).</param>
/// <param name="Meta">WakuMessage meta, null when absent.</param>
public sealed record StoreMessage(
    byte[] MessageHash,
    string? PubsubTopic,
    bool HasData,
    string ContentTopic,
    byte[] Payload,
    uint Version,
    long Timestamp,
    byte[]? Meta)
{
    /// <summary>The hash as lower-case hex.</summary>
    public string MessageHashHex => Convert.ToHexStringLower(MessageHash);

    /// <summary>For a message from a legacy store (beta3, beta4): its Index digest SHA-256(content topic ‖ payload),
    /// recomputed here; the key (<c>id</c>) of nwaku v0.4's Message table. Null for store v3.</summary>
    public byte[]? LegacyDigest { get; init; }
}

/// <summary>Why a received message was not accepted.</summary>
public enum MessageRejection
{
    /// <summary>The recomputed message hash differs from the one the node sent (<c>MessageHashMismatch</c>).</summary>
    HashMismatch,

    /// <summary>The entry has no message hash, or one that is not 32 bytes.</summary>
    MissingOrBadHash,

    /// <summary>Data was asked for but the entry has no message, or the message lacks payload or content topic.</summary>
    MissingMessage,

    /// <summary>Neither the entry nor the query names the pubsub topic, so the hash cannot be checked.</summary>
    MissingPubsubTopic,

    /// <summary>The message does not match the query's filters (topic, time range, requested hashes).</summary>
    OutsideQuery,

    /// <summary>The same hash arrived earlier in this query.</summary>
    Duplicate,

    /// <summary>A field holds a value no node could have stored (e.g. a beta3 timestamp that is not a finite,
    /// non-negative number of seconds), or the content topic is empty.</summary>
    MalformedMessage,
}

/// <summary>A received message that was rejected and is never returned as valid.</summary>
/// <param name="Page">1-based page it arrived in.</param>
/// <param name="Reason">Why it was rejected.</param>
/// <param name="ClaimedHash">The hash the node sent (hex), empty when none.</param>
/// <param name="ComputedHash">The hash recomputed from the message (hex), when it could be computed.</param>
/// <param name="Detail">A sentence for the report.</param>
public sealed record RejectedMessage(int Page, MessageRejection Reason, string ClaimedHash, string? ComputedHash, string Detail);

/// <summary>One page of a paginated store query.</summary>
/// <param name="Number">1-based page number.</param>
/// <param name="Messages">Valid messages in the order the node sent them.</param>
/// <param name="Rejected">Entries of this page that were rejected.</param>
/// <param name="NextCursor">The cursor for the next page, null when this was the last.</param>
/// <param name="ResponseBytes">Size of the response frame.</param>
public sealed record StorePage(int Number, IReadOnlyList<StoreMessage> Messages, IReadOnlyList<RejectedMessage> Rejected, byte[]? NextCursor, int ResponseBytes);

/// <summary>Everything one paginated query returned.</summary>
/// <param name="Messages">Valid messages, in the order received (page by page).</param>
/// <param name="Rejected">Every rejected entry.</param>
/// <param name="Pages">Pages fetched.</param>
/// <param name="ResponseBytes">Bytes of all response frames.</param>
/// <param name="Complete">True when the node signalled the last page (no cursor); false for a partial result.</param>
public sealed record StoreQueryResult(IReadOnlyList<StoreMessage> Messages, IReadOnlyList<RejectedMessage> Rejected, int Pages, long ResponseBytes, bool Complete)
{
    /// <summary>
    /// Gathers every page of a query (v3 or legacy); when a page fails, the <see cref="StoreException"/> carries
    /// what arrived before it as <see cref="StoreException.Partial"/>.
    /// </summary>
    internal static async Task<StoreQueryResult> CollectAsync(IAsyncEnumerable<StorePage> pages)
    {
        var messages = new List<StoreMessage>();
        var rejected = new List<RejectedMessage>();
        int count = 0;
        long bytes = 0;
        try
        {
            await foreach (var page in pages.ConfigureAwait(false))
            {
                count++;
                bytes += page.ResponseBytes;
                messages.AddRange(page.Messages);
                rejected.AddRange(page.Rejected);
            }
        }
        catch (StoreException e)
        {
            throw e.WithPartial(new StoreQueryResult(messages, rejected, count, bytes, Complete: false));
        }

        return new StoreQueryResult(messages, rejected, count, bytes, Complete: true);
    }
}
