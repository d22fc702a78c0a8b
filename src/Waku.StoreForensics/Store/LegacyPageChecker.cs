using System.Text;
using Waku.StoreForensics.Schema;

namespace Waku.StoreForensics.Store;

/// <summary>One message of a legacy (HistoryRPC) page, already converted to the project's units by its encoding.</summary>
/// <param name="ContentTopic">Content topic.</param>
/// <param name="Payload">Payload.</param>
/// <param name="Version">Version.</param>
/// <param name="Timestamp">Unix nanoseconds, 0 when unset.</param>
/// <param name="Meta">Meta, null when the era has none or it is absent.</param>
/// <param name="Malformed">Why a field cannot be valid, or null.</param>
/// <param name="OutsideTimeRange">True when the era's own time filter excludes the message.</param>
internal readonly record struct LegacyEntry(string ContentTopic, ReadOnlyMemory<byte> Payload, uint Version, long Timestamp, byte[]? Meta, string? Malformed, bool OutsideTimeRange);

/// <summary>
/// Validation shared by the legacy store clients (beta3, beta4). Legacy responses carry no message hash, so each
/// message's deterministic hash is computed here from the query's pubsub topic, and the cursor's digest
/// (SHA-256 of content topic ‖ payload, the same in every legacy era) is checked against the page's boundary message.
/// </summary>
internal static class LegacyPageChecker
{
    // cursorDigest: the digest of the page's cursor, checked against its boundary message (null for none);
    // nextCursor: what the page reports as its next cursor (null on the last page). They differ on beta3's last page.
    public static StorePage Check(StoreQuery query, int number, IReadOnlyList<LegacyEntry> entries, byte[]? cursorDigest, byte[]? nextCursor, int size, HashSet<MessageHashKey> seen)
    {
        var messages = new List<StoreMessage>(entries.Count);
        var rejected = new List<RejectedMessage>();
        byte[] pubsub = Encoding.UTF8.GetBytes(query.PubsubTopic!);
        // The cursor is the Index of the last message returned in the direction of travel; pages are ascending.
        int boundary = query.Forward ? entries.Count - 1 : 0;
        for (int i = 0; i < entries.Count; i++)
        {
            var m = entries[i];
            byte[] content = Encoding.UTF8.GetBytes(m.ContentTopic);
            var hash = NwakuMessageKeys.ComputeMessageHash(pubsub, m.Payload.Span, content, m.Meta ?? [], m.Timestamp);
            string hex = Convert.ToHexStringLower(hash);
            RejectedMessage Reject(MessageRejection reason, string detail, string? claimed = null) => new(number, reason, claimed ?? "", hex, detail);

            if (m.Malformed is { } why)
            {
                rejected.Add(Reject(MessageRejection.MalformedMessage, why));
                continue;
            }

            byte[] legacyDigest = NwakuMessageKeys.ComputeDigest(content, m.Payload.Span);
            if (i == boundary && cursorDigest is { } digest)
            {
                if (!digest.AsSpan().SequenceEqual(legacyDigest))
                {
                    rejected.Add(Reject(MessageRejection.HashMismatch, "The cursor's digest differs from SHA-256(content topic ‖ payload) of the page's boundary message.", Convert.ToHexStringLower(digest)));
                    continue;
                }
            }

            if (query.ContentTopics.Count > 0 && !query.ContentTopics.Contains(m.ContentTopic, StringComparer.Ordinal))
            {
                rejected.Add(Reject(MessageRejection.OutsideQuery, $"Content topic '{StoreQueryClient.Truncate(m.ContentTopic)}' was not queried."));
                continue;
            }

            if (m.OutsideTimeRange)
            {
                rejected.Add(Reject(MessageRejection.OutsideQuery, $"Timestamp {m.Timestamp} is outside the queried range."));
                continue;
            }

            if (!seen.Add(MessageHashKey.From(hash)))
            {
                rejected.Add(Reject(MessageRejection.Duplicate, "The same message arrived earlier in this query."));
                continue;
            }

            messages.Add(new StoreMessage(hash, query.PubsubTopic, true, m.ContentTopic, m.Payload.ToArray(), m.Version, m.Timestamp, m.Meta) { LegacyDigest = legacyDigest });
        }

        return new StorePage(number, messages, rejected, nextCursor, size);
    }
}
