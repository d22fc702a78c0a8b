using System.Runtime.CompilerServices;
using Google.Protobuf;
using Waku.StoreForensics.Net;
using V04 = Waku.StoreForensics.Store.Protos.Beta3V04;
using V05 = Waku.StoreForensics.Store.Protos.Beta3V05;

namespace Waku.StoreForensics.Store;

/// <summary>
/// Legacy store client for <c>/vac/waku/store/2.0.0-beta3</c> (nwaku v0.3–v0.7, 2021), in either of the two
/// encodings spoken under that ID (<see cref="Beta3Encoding"/>; shared/reference/nwaku-store-format.md §5.4). The
/// caller pins one, or the client reads the first response both ways and keeps the only encoding in which it decodes
/// with no unknown field and only well-formed messages. Pagination uses the node's Index cursor, echoed field for
/// field; a page with fewer messages than asked for, or no cursor, is the last (nwaku's own client rule of the era).
/// Limits, timeouts, retries, re-hashing and rejections are those of <see cref="LegacyStoreClient"/>.
/// </summary>
public sealed class Beta3StoreClient
{
    /// <summary>The beta3 protocol ID (both encodings).</summary>
    public const string ProtocolId = "/vac/waku/store/2.0.0-beta3";

    private readonly Func<CancellationToken, Task<Stream>> _openStream;

    /// <summary>Creates a client that queries the peer at the other end of <paramref name="connection"/>.</summary>
    /// <param name="connection">The connection.</param>
    /// <param name="encoding">The encoding to speak; null to detect it from the responses.</param>
    /// <param name="options">Limits; the defaults when null.</param>
    public Beta3StoreClient(Libp2pConnection connection, Beta3Encoding? encoding = null, StoreClientOptions? options = null)
        : this(async ct => await connection.OpenStreamAsync(ProtocolId, ct).ConfigureAwait(false), encoding, options)
    {
        ArgumentNullException.ThrowIfNull(connection);
    }

    internal Beta3StoreClient(Func<CancellationToken, Task<Stream>> openStream, Beta3Encoding? encoding, StoreClientOptions? options)
    {
        if (encoding is { } e && !Enum.IsDefined(e))
        {
            throw new ArgumentOutOfRangeException(nameof(encoding), e, "Not a beta3 encoding.");
        }

        Options = options ?? new StoreClientOptions();
        Options.Validate();
        PinnedEncoding = encoding;
        _openStream = openStream;
    }

    /// <summary>The client's limits.</summary>
    public StoreClientOptions Options { get; }

    /// <summary>The encoding the caller pinned; null when the client detects it.</summary>
    public Beta3Encoding? PinnedEncoding { get; }

    /// <summary>
    /// Runs <paramref name="query"/> to the last page. The query must name a pubsub topic, cannot be hash-only or a
    /// lookup by hash, and gives both time bounds or neither (nwaku v0.4 ignores a time filter with one bound zero).
    /// </summary>
    /// <exception cref="StoreException">The node refused (<see cref="StoreErrorKind.RemoteStatus"/>, status 1 =
    /// INVALID_CURSOR), answered in the other encoding than the pinned one (<see cref="StoreErrorKind.EncodingMismatch"/>),
    /// in a way both encodings read validly but differently (<see cref="StoreErrorKind.EncodingAmbiguous"/>), broke the
    /// protocol, or a limit or timeout was reached; <see cref="StoreException.Partial"/> holds what arrived before.</exception>
    public async Task<Beta3QueryResult> QueryAllAsync(StoreQuery query, CancellationToken cancellationToken = default)
    {
        Beta3EncodingVerdict? verdict = null;
        var result = await StoreQueryResult.CollectAsync(Pages()).ConfigureAwait(false);
        return new Beta3QueryResult(result, verdict!);

        async IAsyncEnumerable<StorePage> Pages()
        {
            await foreach (var page in QueryPagesAsync(query, cancellationToken).ConfigureAwait(false))
            {
                verdict = page.Encoding;
                yield return page.Page;
            }
        }
    }

    /// <summary>Runs <paramref name="query"/> page by page (see <see cref="QueryAllAsync"/>). A page's
    /// <see cref="StorePage.NextCursor"/> is the cursor Index's digest.</summary>
    /// <exception cref="StoreException">See <see cref="QueryAllAsync"/>.</exception>
    public async IAsyncEnumerable<Beta3Page> QueryPagesAsync(StoreQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        Validate(query);
        using var budget = new PaginationBudget(Options, cancellationToken);

        var verdict = PinnedEncoding is { } pinned
            ? new Beta3EncodingVerdict(pinned, Beta3EncodingSource.Pinned, null, $"Pinned by the caller: {Beta3EncodingVerdict.ReleaseRange(pinned)} field numbers.")
            : new Beta3EncodingVerdict(null, Beta3EncodingSource.Undetermined, null, "No response has told the two encodings apart yet.");
        var seen = new HashSet<MessageHashKey>();
        var cursors = new HashSet<string>(StringComparer.Ordinal);
        Beta3Cursor? cursor = null;
        for (int number = 1; ; number++)
        {
            (var response, verdict, int size) = await budget.FetchAsync(number, async ct =>
            {
                string requestId = Guid.NewGuid().ToString("N");
                var (frame, bytes) = await SendAsync(BuildRequest(verdict.Encoding ?? Beta3Encoding.Nwaku03To04, query, cursor, requestId), ct).ConfigureAwait(false);
                var (reply, next) = Decide(frame, verdict, number);
                CheckResponse(reply, requestId);
                return (reply, next, bytes);
            }).ConfigureAwait(false);

            budget.Count(response.Messages.Count);

            // The era's end of history: an empty page, a short page (by count or by the page size the node reports),
            // or no cursor. nwaku v0.3–v0.7 sends a cursor with every page, the last one included.
            bool last = response.Messages.Count == 0 || response.Cursor is null || response.Messages.Count < query.PageSize
                || (response.PageSize is { } reported && reported < (ulong)query.PageSize);
            var entries = response.Messages.Select(m => ToEntry(m, query)).ToList();
            byte[]? cursorDigest = response.Messages.Count > 0 ? response.Cursor?.Digest : null;
            var page = LegacyPageChecker.Check(query, number, entries, cursorDigest,
                last ? null : response.Cursor!.Digest, size, seen);
            if (!last && !cursors.Add(response.Cursor!.Key))
            {
                throw new StoreException(StoreErrorKind.PaginationLimit, $"The node repeated a cursor on page {number}: pagination would never end.");
            }

            yield return new Beta3Page(page, verdict);
            if (last)
            {
                yield break;
            }

            cursor = response.Cursor;
        }
    }

    private static void Validate(StoreQuery query)
    {
        query.Validate();
        if (query.PubsubTopic is null)
        {
            throw new ArgumentException("A beta3 store query must name a pubsub topic: its responses carry none per message.", nameof(query));
        }

        if (!query.IncludeData || query.MessageHashes.Count > 0)
        {
            throw new ArgumentException("The legacy store has no hash-only queries and no lookup by hash (store v3 has).", nameof(query));
        }

        if ((query.TimeStart is null) != (query.TimeEnd is null))
        {
            throw new ArgumentException("A beta3 time filter needs both bounds: nwaku v0.4 ignores it when either is zero.", nameof(query));
        }
    }

    /// <summary>Settles the encoding of one response frame, or throws the typed error that says why it cannot.</summary>
    private static (Beta3Response Response, Beta3EncodingVerdict Verdict) Decide(byte[] frame, Beta3EncodingVerdict verdict, int page)
    {
        if (verdict.Encoding is { } known)
        {
            var (response, failure) = Beta3Codec.Read(frame, known);
            if (response is not null)
            {
                return (response, verdict);
            }

            var (other, _) = Beta3Codec.Read(frame, Beta3Codec.Other(known));
            string how = verdict.Source == Beta3EncodingSource.Pinned ? "pinned" : $"detected on page {verdict.DecidedOnPage}";
            if (other is not null && Beta3Codec.FirstMalformedMessage(other) is null)
            {
                throw new StoreException(StoreErrorKind.EncodingMismatch,
                    $"Page {page}: the node answered with {Beta3EncodingVerdict.ReleaseRange(other.Encoding)} field numbers, not the {how} {Beta3EncodingVerdict.ReleaseRange(known)} ones.");
            }

            throw new StoreException(StoreErrorKind.MalformedResponse, $"Page {page}: the response {failure} in the {how} {Beta3EncodingVerdict.ReleaseRange(known)} encoding (nor is it valid in the other).");
        }

        var (old, oldFailure) = Beta3Codec.Read(frame, Beta3Encoding.Nwaku03To04);
        var (renumbered, renumberedFailure) = Beta3Codec.Read(frame, Beta3Encoding.Nwaku05To07);
        oldFailure ??= Beta3Codec.FirstMalformedMessage(old!);
        renumberedFailure ??= Beta3Codec.FirstMalformedMessage(renumbered!);
        if (oldFailure is null && renumberedFailure is null)
        {
            if (!old!.SaysTheSameAs(renumbered!))
            {
                throw new StoreException(StoreErrorKind.EncodingAmbiguous,
                    $"Page {page}: the response reads validly in both beta3 encodings, with different content; pin one.");
            }

            return (old, verdict with { Explanation = $"Page {page} reads the same in both encodings (no messages, no field that differs); the encoding is still unknown." });
        }

        if (oldFailure is null || renumberedFailure is null)
        {
            var chosen = oldFailure is null ? old! : renumbered!;
            string rejectedWhy = oldFailure ?? renumberedFailure!;
            var range = Beta3EncodingVerdict.ReleaseRange(chosen.Encoding);
            var otherRange = Beta3EncodingVerdict.ReleaseRange(Beta3Codec.Other(chosen.Encoding));
            return (chosen, new Beta3EncodingVerdict(chosen.Encoding, Beta3EncodingSource.Detected, page,
                $"Page {page} decodes only with {range} field numbers; with {otherRange} ones it {rejectedWhy}."));
        }

        throw new StoreException(StoreErrorKind.MalformedResponse,
            $"Page {page}: the response fits neither beta3 encoding (v0.3-v0.4: {oldFailure}; v0.5-v0.7: {renumberedFailure}). Pin an encoding to have malformed messages rejected one by one.");
    }

    private static void CheckResponse(Beta3Response response, string requestId)
    {
        if (response.Error != 0)
        {
            string name = response.Error == (uint)V05.HistoryResponse.Types.Error.InvalidCursor ? "INVALID_CURSOR" : "unknown error";
            throw new StoreException(StoreErrorKind.RemoteStatus, $"The node answered error {response.Error} ({name}).", response.Error, name);
        }

        if (!string.Equals(response.RequestId, requestId, StringComparison.Ordinal))
        {
            throw new StoreException(StoreErrorKind.MalformedResponse, $"The response's request ID '{StoreQueryClient.Truncate(response.RequestId)}' is not the request's '{requestId}'.");
        }
    }

    private static LegacyEntry ToEntry(Protos.Beta3.WakuMessage m, StoreQuery query)
    {
        string? malformed = Beta3Codec.Malformed(m);
        double seconds = m.HasTimestamp ? m.Timestamp : 0;
        long timestamp = malformed is null && m.HasTimestamp ? Beta3Codec.ToNanoseconds(seconds) : 0;
        // The node compared the same doubles it was sent (v0.4: sender timestamps, both bounds inclusive).
        bool outside = query.TimeStart is { } start && query.TimeEnd is { } end
            && (seconds < Beta3Codec.ToSeconds(start) || seconds > Beta3Codec.ToSeconds(end));
        return new LegacyEntry(m.ContentTopic, m.Payload.Memory, m.Version, timestamp, null, malformed, outside);
    }

    /// <summary>The request in <paramref name="encoding"/>; the two differ only in the cursor Index (v0.5 adds sender
    /// time), so before detection the first request is the same bytes either way. Every field is written explicitly.</summary>
    internal static IMessage BuildRequest(Beta3Encoding encoding, StoreQuery query, Beta3Cursor? cursor, string requestId)
    {
        double? start = query.TimeStart is { } s ? Beta3Codec.ToSeconds(s) : null;
        double? end = query.TimeEnd is { } e ? Beta3Codec.ToSeconds(e) : null;
        if (encoding == Beta3Encoding.Nwaku03To04)
        {
            var q = new V04.HistoryQuery
            {
                PubsubTopic = query.PubsubTopic ?? "",
                PagingInfo = new V04.PagingInfo
                {
                    PageSize = (ulong)query.PageSize,
                    Direction = query.Forward ? V04.PagingInfo.Types.Direction.Forward : V04.PagingInfo.Types.Direction.Backward,
                    Cursor = cursor is null ? null : new V04.Index { Digest = ByteString.CopyFrom(cursor.Digest), ReceivedTime = cursor.ReceiverTime },
                },
            };
            q.ContentFilters.AddRange(query.ContentTopics.Select(t => new V04.ContentFilter { ContentTopic = t }));
            if (start is { } a && end is { } b)
            {
                q.StartTime = a;
                q.EndTime = b;
            }

            return new V04.HistoryRPC { RequestId = requestId, Query = q };
        }

        var index = cursor is null ? null : new V05.Index { Digest = ByteString.CopyFrom(cursor.Digest), ReceiverTime = cursor.ReceiverTime };
        if (cursor?.SenderTime is { } sender)
        {
            index!.SenderTime = sender;
        }

        var query05 = new V05.HistoryQuery
        {
            PubsubTopic = query.PubsubTopic ?? "",
            PagingInfo = new V05.PagingInfo
            {
                PageSize = (ulong)query.PageSize,
                Direction = query.Forward ? V05.PagingInfo.Types.Direction.Forward : V05.PagingInfo.Types.Direction.Backward,
                Cursor = index,
            },
        };
        query05.ContentFilters.AddRange(query.ContentTopics.Select(t => new V05.ContentFilter { ContentTopic = t }));
        if (start is { } from && end is { } to)
        {
            query05.StartTime = from;
            query05.EndTime = to;
        }

        return new V05.HistoryRPC { RequestId = requestId, Query = query05 };
    }

    private Task<(byte[] Frame, int Size)> SendAsync(IMessage request, CancellationToken cancellationToken) =>
        RequestResponse.ExchangeAsync(_openStream, request, frame => frame, "beta3 HistoryRPC", Options.MaxResponseBytes, Options.RequestTimeout,
            StoreQueryClient.Fail, e => StoreQueryClient.FromLibp2p(e, ProtocolId), cancellationToken);
}
