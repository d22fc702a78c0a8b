using System.Runtime.CompilerServices;
using Google.Protobuf;
using Waku.StoreForensics.Net;
using Waku.StoreForensics.Schema;
using Waku.StoreForensics.Store.Protos;
using Index = Waku.StoreForensics.Store.Protos.Index;

namespace Waku.StoreForensics.Store;

/// <summary>
/// Legacy store client (<c>/vac/waku/store/2.0.0-beta4</c>, nwaku v0.8–v0.36 and v0.37 with <c>--legacy-store</c>;
/// shared/reference/nwaku-store-format.md §5.4): HistoryRPC over one stream per page, paginated with the node's
/// Index cursor. The protocol carries no message hash, so each message's deterministic hash is computed here, and
/// the cursor's digest (SHA-256 of content topic ‖ payload) is checked against the page's boundary message.
/// </summary>
public sealed class LegacyStoreClient
{
    /// <summary>The legacy store protocol ID.</summary>
    public const string ProtocolId = "/vac/waku/store/2.0.0-beta4";

    private readonly Func<CancellationToken, Task<Stream>> _openStream;

    /// <summary>Creates a client that queries the peer at the other end of <paramref name="connection"/>.</summary>
    public LegacyStoreClient(Libp2pConnection connection, StoreClientOptions? options = null)
        : this(async ct => await connection.OpenStreamAsync(ProtocolId, ct).ConfigureAwait(false), options)
    {
        ArgumentNullException.ThrowIfNull(connection);
    }

    internal LegacyStoreClient(Func<CancellationToken, Task<Stream>> openStream, StoreClientOptions? options)
    {
        Options = options ?? new StoreClientOptions();
        Options.Validate();
        _openStream = openStream;
    }

    /// <summary>The client's limits.</summary>
    public StoreClientOptions Options { get; }

    /// <summary>
    /// Runs <paramref name="query"/> to the last page. The query must name a pubsub topic (legacy responses do not
    /// carry one per message, and the hash needs it) and cannot be hash-only or a lookup by hash.
    /// </summary>
    /// <exception cref="StoreException">The node refused, broke the protocol, or a limit or timeout was reached;
    /// <see cref="StoreException.Partial"/> holds what arrived before.</exception>
    public Task<StoreQueryResult> QueryAllAsync(StoreQuery query, CancellationToken cancellationToken = default) =>
        StoreQueryResult.CollectAsync(QueryPagesAsync(query, cancellationToken));

    /// <summary>Runs <paramref name="query"/> page by page (see <see cref="QueryAllAsync"/>). A page's
    /// <see cref="StorePage.NextCursor"/> is the cursor Index's digest.</summary>
    /// <exception cref="StoreException">The node refused, broke the protocol, or a limit or timeout was reached.</exception>
    public async IAsyncEnumerable<StorePage> QueryPagesAsync(StoreQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        if (query.PubsubTopic is null)
        {
            throw new ArgumentException("A legacy store query must name a pubsub topic: its responses carry none per message.", nameof(query));
        }

        if (!query.IncludeData || query.MessageHashes.Count > 0)
        {
            throw new ArgumentException("The legacy store has no hash-only queries and no lookup by hash (store v3 has).", nameof(query));
        }

        using var budget = new PaginationBudget(Options, cancellationToken);

        var seen = new HashSet<MessageHashKey>();
        var cursors = new HashSet<string>(StringComparer.Ordinal);
        Index? cursor = null;
        for (int number = 1; ; number++)
        {
            var (response, size) = await budget.FetchAsync(number, async ct =>
            {
                var rpc = BuildRequest(query, cursor);
                var (reply, bytes) = await SendAsync(rpc, ct).ConfigureAwait(false);
                return (CheckResponse(reply, rpc.RequestId), bytes);
            }).ConfigureAwait(false);

            budget.Count(response.Messages.Count);

            Index? next = response.PagingInfo?.Cursor;
            if (next is not null && (!next.HasDigest || next.Digest.Length != NwakuMessageKeys.KeyLength))
            {
                throw new StoreException(StoreErrorKind.MalformedResponse, $"Page {number} has a cursor without a 32-byte digest.");
            }

            var page = CheckPage(query, number, response, next, size, seen);
            if (next is not null && !cursors.Add(Convert.ToHexString(next.ToByteArray())))
            {
                throw new StoreException(StoreErrorKind.PaginationLimit, $"The node repeated a cursor on page {number}: pagination would never end.");
            }

            yield return page;
            if (next is null)
            {
                yield break;
            }

            // nwaku's Index decoder requires all four fields: write them explicitly, zeros included.
            cursor = new Index
            {
                Digest = next.Digest,
                ReceiverTime = next.ReceiverTime,
                SenderTime = next.SenderTime,
                PubsubTopic = next.HasPubsubTopic ? next.PubsubTopic : query.PubsubTopic,
            };
        }
    }

    private static HistoryResponse CheckResponse(HistoryRPC reply, string requestId)
    {
        var response = reply.Response
            ?? throw new StoreException(StoreErrorKind.MalformedResponse, "The HistoryRPC carries no response.");
        if (response.Error != HistoryResponse.Types.Error.None)
        {
            throw new StoreException(StoreErrorKind.RemoteStatus, $"The node answered error {(uint)response.Error} ({response.Error}).", (uint)response.Error, response.Error.ToString());
        }

        if (!string.Equals(reply.RequestId, requestId, StringComparison.Ordinal))
        {
            throw new StoreException(StoreErrorKind.MalformedResponse, $"The response's request ID '{StoreQueryClient.Truncate(reply.RequestId)}' is not the request's '{requestId}'.");
        }

        return response;
    }

    internal static HistoryRPC BuildRequest(StoreQuery query, Index? cursor)
    {
        var historyQuery = new HistoryQuery
        {
            PubsubTopic = query.PubsubTopic ?? "",
            PagingInfo = new PagingInfo
            {
                PageSize = (ulong)query.PageSize,
                Direction = query.Forward ? PagingInfo.Types.Direction.Forward : PagingInfo.Types.Direction.Backward,
                Cursor = cursor,
            },
        };
        historyQuery.ContentFilters.AddRange(query.ContentTopics.Select(t => new ContentFilter { ContentTopic = t }));
        if (query.TimeStart is { } start)
        {
            historyQuery.StartTime = start;
        }

        if (query.TimeEnd is { } end)
        {
            historyQuery.EndTime = end;
        }

        // nwaku rejects a HistoryRPC without request_id.
        return new HistoryRPC { RequestId = Guid.NewGuid().ToString("N"), Query = historyQuery };
    }

    private static StorePage CheckPage(StoreQuery query, int number, HistoryResponse response, Index? next, int size, HashSet<MessageHashKey> seen)
    {
        var entries = response.Messages.Select(m =>
        {
            long timestamp = m.HasTimestamp ? m.Timestamp : 0;
            // The legacy time filter applies to storedAt, which is the message timestamp when it has one.
            bool outside = timestamp > 0 && ((query.TimeStart is { } start && timestamp < start) || (query.TimeEnd is { } end && timestamp > end));
            return new LegacyEntry(m.ContentTopic, m.Payload.Memory, m.Version, timestamp, m.HasMeta ? m.Meta.ToByteArray() : null, null, outside);
        }).ToList();
        byte[]? cursor = next?.Digest.ToByteArray();
        return LegacyPageChecker.Check(query, number, entries, cursor, cursor, size, seen);
    }

    private Task<(HistoryRPC Reply, int Size)> SendAsync(HistoryRPC request, CancellationToken cancellationToken) =>
        RequestResponse.ExchangeAsync(_openStream, request, HistoryRPC.Parser, Options.MaxResponseBytes, Options.RequestTimeout,
            StoreQueryClient.Fail, e => StoreQueryClient.FromLibp2p(e, ProtocolId), cancellationToken);
}
