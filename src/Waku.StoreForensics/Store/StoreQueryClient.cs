using System.Runtime.CompilerServices;
using System.Text;
using Google.Protobuf;
using Waku.StoreForensics.Net;
using Waku.StoreForensics.Schema;
using Waku.StoreForensics.Store.Protos;

namespace Waku.StoreForensics.Store;

/// <summary>
/// Store v3 client (<c>/vac/waku/store-query/3.0.0</c>, shared/reference/nwaku-store-format.md §5.5) over one
/// libp2p connection: one stream per page, pagination to exhaustion with the node's cursor, every received
/// message re-hashed and checked against the query before it is returned.
/// </summary>
public sealed class StoreQueryClient
{
    /// <summary>The store v3 protocol ID.</summary>
    public const string ProtocolId = "/vac/waku/store-query/3.0.0";

    private readonly Func<CancellationToken, Task<Stream>> _openStream;

    /// <summary>Creates a client that queries the peer at the other end of <paramref name="connection"/>.</summary>
    public StoreQueryClient(Libp2pConnection connection, StoreClientOptions? options = null)
        : this(async ct => await connection.OpenStreamAsync(ProtocolId, ct).ConfigureAwait(false), options)
    {
        ArgumentNullException.ThrowIfNull(connection);
    }

    /// <summary>For tests: <paramref name="openStream"/> returns a stream already negotiated for the protocol.</summary>
    internal StoreQueryClient(Func<CancellationToken, Task<Stream>> openStream, StoreClientOptions? options)
    {
        Options = options ?? new StoreClientOptions();
        Options.Validate();
        _openStream = openStream;
    }

    /// <summary>The client's limits.</summary>
    public StoreClientOptions Options { get; }

    /// <summary>
    /// Runs <paramref name="query"/> to the last page and collects every valid message. On a failure after the
    /// first page the thrown <see cref="StoreException"/> carries what was received in <see cref="StoreException.Partial"/>.
    /// </summary>
    /// <exception cref="StoreException">The node refused, broke the protocol, or a limit or timeout was reached.</exception>
    public Task<StoreQueryResult> QueryAllAsync(StoreQuery query, CancellationToken cancellationToken = default) =>
        StoreQueryResult.CollectAsync(QueryPagesAsync(query, cancellationToken));

    /// <summary>
    /// Runs <paramref name="query"/> page by page, yielding each page once validated; memory stays bounded by one
    /// page plus the set of hashes seen (for duplicate detection).
    /// </summary>
    /// <exception cref="StoreException">The node refused, broke the protocol, or a limit or timeout was reached.</exception>
    public async IAsyncEnumerable<StorePage> QueryPagesAsync(StoreQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        using var budget = new PaginationBudget(Options, cancellationToken);

        var checker = new StoreMessageChecker(query);
        var cursors = new HashSet<MessageHashKey>();
        byte[]? cursor = null;
        for (int number = 1; ; number++)
        {
            var (response, size) = await budget.FetchAsync(number, async ct =>
            {
                var request = BuildRequest(query, cursor);
                var answer = await SendAsync(request, ct).ConfigureAwait(false);
                CheckStatus(answer.Response, request.RequestId);
                return answer;
            }).ConfigureAwait(false);

            var page = checker.Check(number, response, size);
            budget.Count(response.Messages.Count);

            if (page.NextCursor is { } next && !cursors.Add(MessageHashKey.From(next)))
            {
                throw new StoreException(StoreErrorKind.PaginationLimit, $"The node repeated cursor {Convert.ToHexStringLower(next)} on page {number}: pagination would never end.");
            }

            yield return page;
            if (page.NextCursor is null)
            {
                yield break;
            }

            cursor = page.NextCursor;
        }
    }

    /// <summary>The request nwaku expects: <c>request_id</c> always set (nwaku rejects a request without it).</summary>
    internal static StoreQueryRequest BuildRequest(StoreQuery query, byte[]? cursor)
    {
        var request = new StoreQueryRequest
        {
            RequestId = Guid.NewGuid().ToString("N"),
            IncludeData = query.IncludeData,
            PaginationForward = query.Forward,
            PaginationLimit = (ulong)query.PageSize,
        };
        if (query.PubsubTopic is { } pubsub)
        {
            request.PubsubTopic = pubsub;
        }

        request.ContentTopics.AddRange(query.ContentTopics);
        if (query.TimeStart is { } start)
        {
            request.TimeStart = start;
        }

        if (query.TimeEnd is { } end)
        {
            request.TimeEnd = end;
        }

        foreach (var hash in query.MessageHashes)
        {
            request.MessageHashes.Add(ByteString.CopyFrom(hash));
        }

        if (cursor is not null)
        {
            request.PaginationCursor = ByteString.CopyFrom(cursor);
        }

        return request;
    }

    private static void CheckStatus(StoreQueryResponse response, string requestId)
    {
        // nwaku always writes status_code (§5.1); a response without one is not a store v3 answer.
        if (!response.HasStatusCode)
        {
            throw new StoreException(StoreErrorKind.MalformedResponse, "The response has no status code.");
        }

        if (response.StatusCode != (uint)StoreStatusCode.Success)
        {
            string name = Enum.IsDefined(typeof(StoreStatusCode), (int)Math.Min(response.StatusCode, int.MaxValue))
                ? ((StoreStatusCode)response.StatusCode).ToString()
                : "unknown code";
            throw new StoreException(StoreErrorKind.RemoteStatus, $"The node answered {response.StatusCode} ({name}): {response.StatusDesc}", response.StatusCode, response.StatusDesc);
        }

        // Checked only on success: nwaku answers a request it could not decode with a placeholder request ID.
        if (!string.Equals(response.RequestId, requestId, StringComparison.Ordinal))
        {
            throw new StoreException(StoreErrorKind.MalformedResponse, $"The response's request ID '{Truncate(response.RequestId)}' is not the request's '{requestId}'.");
        }
    }

    private Task<(StoreQueryResponse Response, int Size)> SendAsync(StoreQueryRequest request, CancellationToken cancellationToken) =>
        RequestResponse.ExchangeAsync(_openStream, request, StoreQueryResponse.Parser, Options.MaxResponseBytes, Options.RequestTimeout,
            Fail, e => FromLibp2p(e, ProtocolId), cancellationToken);

    /// <summary>A failed exchange as the store error a caller acts on.</summary>
    internal static StoreException Fail(ExchangeFailure failure, string message, Exception? cause) => new(
        failure switch
        {
            ExchangeFailure.Malformed => StoreErrorKind.MalformedResponse,
            ExchangeFailure.Timeout => StoreErrorKind.Timeout,
            _ => StoreErrorKind.Transport,
        },
        message,
        innerException: cause);

    /// <summary>Maps a transport failure to the store error a caller acts on.</summary>
    internal static StoreException FromLibp2p(Libp2pException e, string protocolId) => e.Reason switch
    {
        Libp2pErrorReason.ProtocolNotSupported => new StoreException(StoreErrorKind.ProtocolNotSupported, $"The node does not speak {protocolId}.", innerException: e),
        Libp2pErrorReason.MessageTooLarge => new StoreException(StoreErrorKind.ResponseTooLarge, $"{e.Message} (MaxResponseBytes)", innerException: e),
        Libp2pErrorReason.Timeout => new StoreException(StoreErrorKind.Timeout, e.Message, innerException: e),
        _ => new StoreException(StoreErrorKind.Transport, $"{e.Reason}: {e.Message}", innerException: e),
    };

    internal static string Truncate(string s) => s.Length <= 64 ? s : s[..64] + "…";
}

/// <summary>Validates the entries of each page against the query: hash recomputed, filters, duplicates, cursor.</summary>
internal sealed class StoreMessageChecker
{
    private readonly StoreQuery _query;
    private readonly HashSet<MessageHashKey> _seen = [];
    private readonly HashSet<string>? _requested;

    public StoreMessageChecker(StoreQuery query)
    {
        _query = query;
        if (query.MessageHashes.Count > 0)
        {
            _requested = new HashSet<string>(query.MessageHashes.Select(Convert.ToHexStringLower), StringComparer.Ordinal);
        }
    }

    public StorePage Check(int number, StoreQueryResponse response, int size)
    {
        byte[]? next = null;
        if (response.HasPaginationCursor && response.PaginationCursor.Length > 0)
        {
            // §5.5: a cursor is a message hash, 32 bytes and not all zero.
            next = response.PaginationCursor.ToByteArray();
            if (next.Length != NwakuMessageKeys.KeyLength || next.All(b => b == 0))
            {
                throw new StoreException(StoreErrorKind.MalformedResponse, $"Page {number} has an invalid cursor ({next.Length} bytes): a cursor is a non-zero 32-byte message hash.");
            }
        }

        var messages = new List<StoreMessage>(response.Messages.Count);
        var rejected = new List<RejectedMessage>();
        foreach (var entry in response.Messages)
        {
            var (message, rejection) = CheckEntry(number, entry);
            if (message is not null)
            {
                messages.Add(message);
            }
            else
            {
                rejected.Add(rejection!);
            }
        }

        return new StorePage(number, messages, rejected, next, size);
    }

    private (StoreMessage?, RejectedMessage?) CheckEntry(int page, WakuMessageKeyValue entry)
    {
        string claimed = entry.HasMessageHash ? Convert.ToHexStringLower(entry.MessageHash.Span) : "";
        RejectedMessage Reject(MessageRejection reason, string detail, string? computed = null) =>
            new(page, reason, claimed, computed, detail);

        if (!entry.HasMessageHash || entry.MessageHash.Length != NwakuMessageKeys.KeyLength)
        {
            return (null, Reject(MessageRejection.MissingOrBadHash, $"Entry without a 32-byte message hash ({(entry.HasMessageHash ? entry.MessageHash.Length : 0)} bytes)."));
        }

        string? pubsub = entry.HasPubsubTopic ? entry.PubsubTopic : _query.PubsubTopic;
        if (_query.PubsubTopic is { } wanted && entry.HasPubsubTopic && !string.Equals(entry.PubsubTopic, wanted, StringComparison.Ordinal))
        {
            return (null, Reject(MessageRejection.OutsideQuery, $"Pubsub topic '{StoreQueryClient.Truncate(entry.PubsubTopic)}' is not the one queried."));
        }

        if (_requested is not null && !_requested.Contains(claimed))
        {
            return (null, Reject(MessageRejection.OutsideQuery, "Hash was not among those looked up."));
        }

        StoreMessage result;
        if (_query.IncludeData)
        {
            if (entry.Message is not { } m)
            {
                return (null, Reject(MessageRejection.MissingMessage, "Data was asked for but the entry carries no message."));
            }

            if (pubsub is null)
            {
                return (null, Reject(MessageRejection.MissingPubsubTopic, "No pubsub topic in the entry or the query: the hash cannot be checked."));
            }

            byte[] meta = m.HasMeta ? m.Meta.ToByteArray() : [];
            long timestamp = m.HasTimestamp ? m.Timestamp : 0;
            var computed = NwakuMessageKeys.ComputeMessageHash(
                Encoding.UTF8.GetBytes(pubsub), m.Payload.Span, Encoding.UTF8.GetBytes(m.ContentTopic), meta, timestamp);
            string computedHex = Convert.ToHexStringLower(computed);
            if (!string.Equals(computedHex, claimed, StringComparison.Ordinal))
            {
                return (null, Reject(MessageRejection.HashMismatch, "The recomputed message hash differs from the one the node sent.", computedHex));
            }

            if (_query.ContentTopics.Count > 0 && !_query.ContentTopics.Contains(m.ContentTopic, StringComparer.Ordinal))
            {
                return (null, Reject(MessageRejection.OutsideQuery, $"Content topic '{StoreQueryClient.Truncate(m.ContentTopic)}' was not queried.", computedHex));
            }

            if ((_query.TimeStart is { } start && timestamp < start) || (_query.TimeEnd is { } end && timestamp > end))
            {
                return (null, Reject(MessageRejection.OutsideQuery, $"Timestamp {timestamp} is outside the queried range.", computedHex));
            }

            result = new StoreMessage(computed, pubsub, true, m.ContentTopic, m.Payload.ToByteArray(), m.Version, timestamp, m.HasMeta ? meta : null);
        }
        else
        {
            result = new StoreMessage(entry.MessageHash.ToByteArray(), pubsub, false, "", [], 0, 0, null);
        }

        if (!_seen.Add(MessageHashKey.From(result.MessageHash)))
        {
            return (null, Reject(MessageRejection.Duplicate, "The same hash arrived earlier in this query."));
        }

        return (result, null);
    }
}
