using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Google.Protobuf;
using Waku.StoreForensics.Net;
using Waku.StoreForensics.Net.Crypto;
using Waku.StoreForensics.Net.Multiformats;
using Waku.StoreForensics.Scanning;
using Waku.StoreForensics.Schema;
using Waku.StoreForensics.Sqlite;
using Waku.StoreForensics.Store;
using Waku.StoreForensics.Validation;

namespace Waku.StoreForensics.Reseed;

/// <summary>
/// Refills an nwaku store from live nodes: finds what the local Message table lacks, fetches only that over the
/// store protocol, and inserts it in the file's own layout (keys by the layout's formula, times in its unit).
/// </summary>
/// <remarks>
/// Each page of fetched messages is inserted in its own transaction and the difference is recomputed from the
/// table on every run, so an interrupted reseed run again continues where it stopped and never stores a message
/// twice (rows are inserted only when their primary key is new). Peers are tried in order; when one fails
/// part-way, the next continues from what is now in the table.
/// </remarks>
public static class StoreReseeder
{
    /// <summary>Reseeds the database at <paramref name="databasePath"/> from <paramref name="peers"/>.</summary>
    /// <exception cref="WriteRefusedException">
    /// See <see cref="WriteGuard.Check"/> (hot journal; non-empty WAL or damage without <see cref="ReseedOptions.Force"/>),
    /// or the database has no Message table of a known layout.
    /// </exception>
    public static async Task<ReseedReport> ReseedAsync(
        string databasePath,
        IReadOnlyList<Multiaddress> peers,
        ReseedOptions? options = null,
        IProgress<ReseedProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        ArgumentNullException.ThrowIfNull(peers);
        if (peers.Count == 0)
        {
            throw new ArgumentException("Give at least one peer.", nameof(peers));
        }

        options ??= new ReseedOptions();
        options.Validate();
        if (!File.Exists(databasePath))
        {
            throw new FileNotFoundException($"{databasePath} does not exist", databasePath);
        }

        var clock = Stopwatch.StartNew();
        var (schema, table) = DetectLayout(databasePath);

        // The scan hashes the evidence itself; a dry run, which skips it, hashes it alone.
        string verdict = "skipped (dry run)";
        IReadOnlyList<EvidenceFile> before;
        if (options.DryRun)
        {
            before = StoreScanner.HashEvidence(databasePath, cancellationToken);
        }
        else
        {
            progress?.Report(new ReseedProgress("scanning", null, 0, 0, 0, 0, 0, clock.Elapsed));
            var scan = WriteGuard.Check(databasePath, options.Force, new ScanOptions { Validation = options.Validation }, cancellationToken);
            verdict = scan.Healthy ? "healthy" : "damaged (forced)";
            before = scan.Inputs;
        }

        progress?.Report(new ReseedProgress("reading local store", null, 0, 0, 0, 0, 0, clock.Elapsed));
        LocalMessageIndex index;
        using (var db = SqliteDatabase.Open(databasePath))
        {
            index = LocalMessageIndex.Read(db, table, schema, cancellationToken);
        }

        long rowsBefore = index.Count;
        using var writer = options.DryRun ? null : NwakuDatabaseWriter.OpenExisting(databasePath, schema, null, options.BusyTimeout);
        var run = new Run(index, writer, options, progress, clock);

        using Identity? ownIdentity = options.Host is null ? Identity.CreateSecp256k1() : null;
        var host = new Libp2pHost(options.Host ?? new Libp2pHostOptions(ownIdentity!));
        await using (host.ConfigureAwait(false))
        {
            foreach (var address in peers)
            {
                var result = await run.FromPeerAsync(host, address, cancellationToken).ConfigureAwait(false);
                if (result.Completed)
                {
                    break;
                }
            }
        }

        writer?.Dispose();
        return new ReseedReport
        {
            Before = before,
            After = StoreScanner.HashEvidence(databasePath, cancellationToken),
            MessageLayout = schema.Id.ToString(),
            DryRun = options.DryRun,
            ScanVerdict = verdict,
            LocalRowsBefore = rowsBefore,
            LocalRowsAfter = options.DryRun ? rowsBefore : index.Count,
            Missing = run.Missing,
            Inserted = run.Inserted,
            AlreadyPresent = run.AlreadyPresent,
            BytesReceived = run.Peers.Sum(p => p.BytesReceived),
            MissingMessageBytes = run.MissingMessageBytes,
            Complete = run.Peers.Any(p => p.Completed),
            Peers = run.Peers,
            Rejected = run.Rejections,
            MissingHashes = run.MissingHashes,
            Seconds = clock.Elapsed.TotalSeconds,
        };
    }

    private static (MessageTableSchema Schema, string Table) DetectLayout(string path)
    {
        using var db = SqliteDatabase.Open(path);
        var detection = SchemaDetector.Detect(db.Header.UserVersion, db.Schema);
        if (detection.MessageSchema is not { } schema || detection.Message is not { } match)
        {
            throw new WriteRefusedException(WriteRefusal.UnknownMessageLayout, $"{path} has no Message table of a known nwaku layout; nothing to reseed.");
        }

        return (schema, match.TableName);
    }

    /// <summary>The state of one reseed across its peers.</summary>
    private sealed class Run(LocalMessageIndex index, NwakuDatabaseWriter? writer, ReseedOptions options, IProgress<ReseedProgress>? progress, Stopwatch clock)
    {
        public List<ReseedPeerResult> Peers { get; } = [];

        public List<ReseedRejection> Rejections { get; } = [];

        public List<string> MissingHashes { get; } = [];

        public long Missing { get; private set; }

        public long Inserted { get; private set; }

        public long AlreadyPresent { get; private set; }

        public long MissingMessageBytes { get; private set; }

        private long _fetched, _listed, _bytes;

        public async Task<ReseedPeerResult> FromPeerAsync(Libp2pHost host, Multiaddress address, CancellationToken cancellationToken)
        {
            string peer = address.ToString();
            var counters = new PeerCounters();
            string? protocol = null;
            ReseedMethod? method = null;
            try
            {
                progress?.Report(Progress("connecting", peer));
                var connection = await host.DialAsync(address, cancellationToken).ConfigureAwait(false);
                await using var closing = connection.ConfigureAwait(false);
                IReadOnlyList<string>? protocols = null;
                try
                {
                    protocols = (await connection.IdentifyAsync(cancellationToken).ConfigureAwait(false)).Protocols;
                }
                catch (Libp2pException)
                {
                    // No identify: try store v3 and let the stream negotiation say whether it is there.
                }

                bool v3 = protocols is null || protocols.Contains(StoreQueryClient.ProtocolId);
                if (!v3 && !protocols!.Contains(LegacyStoreClient.ProtocolId))
                {
                    throw new StoreException(StoreErrorKind.ProtocolNotSupported,
                        $"{peer} serves neither {StoreQueryClient.ProtocolId} nor {LegacyStoreClient.ProtocolId}.");
                }

                if (!v3 && options.PubsubTopic is null)
                {
                    throw new StoreException(StoreErrorKind.ProtocolNotSupported,
                        $"{peer} serves only the legacy store, which needs a pubsub topic (--pubsub-topic).");
                }

                protocol = v3 ? StoreQueryClient.ProtocolId : LegacyStoreClient.ProtocolId;
                method = v3 && index.CanComputeHashes ? ReseedMethod.HashDiff : ReseedMethod.FullFetch;
                if (method == ReseedMethod.HashDiff)
                {
                    await HashDiffAsync(new StoreQueryClient(connection, options.Client), peer, counters, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    Func<StoreQuery, CancellationToken, IAsyncEnumerable<StorePage>> pages = v3
                        ? new StoreQueryClient(connection, options.Client).QueryPagesAsync
                        : new LegacyStoreClient(connection, options.Client).QueryPagesAsync;
                    await OverlappedAsync(pages(options.Filter(includeData: true), cancellationToken), page =>
                    {
                        Count(page, peer, counters);
                        _listed += page.Messages.Count;
                        counters.Listed += page.Messages.Count;
                        Store(page.Messages, peer, counters);
                        progress?.Report(Progress("fetching", peer));
                    }, cancellationToken).ConfigureAwait(false);
                }

                return Finish(peer, protocol, method, counters, error: null);
            }
            catch (Exception e) when (e is StoreException or Libp2pException or IOException)
            {
                return Finish(peer, protocol, method, counters, e.Message);
            }
        }

        private ReseedPeerResult Finish(string peer, string? protocol, ReseedMethod? method, PeerCounters c, string? error)
        {
            var result = new ReseedPeerResult(peer, protocol, method, error is null, error, c.Listed, c.Fetched, c.Inserted, c.Rejected, c.Pages, c.Bytes);
            Peers.Add(result);
            return result;
        }

        /// <summary>Lists the peer's hashes in range, then looks up only those the table lacks.</summary>
        private async Task HashDiffAsync(StoreQueryClient client, string peer, PeerCounters counters, CancellationToken cancellationToken)
        {
            var missing = new List<byte[]>();
            await foreach (var page in client.QueryPagesAsync(options.Filter(includeData: false), cancellationToken).ConfigureAwait(false))
            {
                Count(page, peer, counters);
                counters.Listed += page.Messages.Count;
                _listed += page.Messages.Count;
                missing.AddRange(page.Messages.Where(m => !index.HasHash(m.MessageHash)).Select(m => m.MessageHash));
                progress?.Report(Progress("listing remote hashes", peer, missing.Count));
            }

            if (options.DryRun)
            {
                Missing += missing.Count;
                MissingHashes.AddRange(missing.Select(Convert.ToHexStringLower));
                return;
            }

            var served = new HashSet<MessageHashKey>();
            await OverlappedAsync(LookupsAsync(client, missing, cancellationToken), page =>
            {
                Count(page, peer, counters);
                // A rejected entry (e.g. a tampered message under a true hash) is already reported by Count.
                foreach (var hash in page.Messages.Select(m => m.MessageHash)
                    .Concat(page.Rejected.Where(r => r.ClaimedHash.Length == 64).Select(r => Convert.FromHexString(r.ClaimedHash))))
                {
                    served.Add(MessageHashKey.From(hash));
                }

                Store(page.Messages, peer, counters);
                progress?.Report(Progress("fetching", peer));
            }, cancellationToken).ConfigureAwait(false);

            foreach (byte[] hash in missing.Where(h => !served.Contains(MessageHashKey.From(h))))
            {
                Reject(peer, Convert.ToHexStringLower(hash), "listed by the peer but not returned by the lookup (pruned meanwhile?)", counters);
            }
        }

        /// <summary>Looks the hashes up, a page's worth per query.</summary>
        private async IAsyncEnumerable<StorePage> LookupsAsync(StoreQueryClient client, List<byte[]> hashes, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            foreach (var chunk in hashes.Chunk(options.PageSize))
            {
                var lookup = new StoreQuery { MessageHashes = chunk, IncludeData = true, Forward = true, PageSize = options.PageSize };
                await foreach (var page in client.QueryPagesAsync(lookup, cancellationToken).ConfigureAwait(false))
                {
                    yield return page;
                }
            }
        }

        /// <summary>
        /// Consumes <paramref name="pages"/> while the next ones are already being fetched (up to four ahead), so the
        /// network and the inserts overlap. A failure of the fetching side ends the loop with its exception.
        /// </summary>
        private static async Task OverlappedAsync(IAsyncEnumerable<StorePage> pages, Action<StorePage> consume, CancellationToken cancellationToken)
        {
            var channel = Channel.CreateBounded<StorePage>(new BoundedChannelOptions(4) { SingleReader = true, SingleWriter = true });
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var producer = Task.Run(async () =>
            {
                Exception? failure = null;
                try
                {
                    await foreach (var page in pages.WithCancellation(stop.Token).ConfigureAwait(false))
                    {
                        await channel.Writer.WriteAsync(page, stop.Token).ConfigureAwait(false);
                    }
                }
                catch (Exception e)
                {
                    failure = e;
                }
                finally
                {
                    channel.Writer.TryComplete(failure);
                }
            }, CancellationToken.None);

            try
            {
                while (await channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    while (channel.Reader.TryRead(out var page))
                    {
                        consume(page);
                    }
                }
            }
            finally
            {
                await stop.CancelAsync().ConfigureAwait(false);
                await producer.ConfigureAwait(false);
            }
        }

        /// <summary>Turns received messages into rows of the file's layout, validates them and inserts the new ones in one transaction.</summary>
        private void Store(IReadOnlyList<StoreMessage> messages, string peer, PeerCounters counters)
        {
            var rows = new List<object?[]>(messages.Count);
            long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
            foreach (var m in messages)
            {
                _fetched++;
                counters.Fetched++;
                if (!m.HasData || m.PubsubTopic is null)
                {
                    Reject(peer, m.MessageHashHex, "the peer sent no message data or no pubsub topic", counters);
                    continue;
                }

                object?[] row;
                try
                {
                    // nwaku stores a message's own timestamp as its storage time, the node's clock when it has none.
                    row = new StoredMessage(m.PubsubTopic, m.ContentTopic, m.Payload, m.Version, m.Timestamp, m.Meta, m.Timestamp > 0 ? m.Timestamp : now).ToRow(index.Schema);
                }
                catch (InvalidOperationException e)
                {
                    Reject(peer, m.MessageHashHex, e.Message, counters);
                    continue;
                }

                if (MessageRowValidator.Validate(index.Schema, row, options.Validation).FirstOrDefault(f => f.Severity == Severity.Error) is { } error)
                {
                    Reject(peer, m.MessageHashHex, $"{error.Kind}: {error.Explanation}", counters);
                    continue;
                }

                if (index.HasHash(m.MessageHash) || index.HasKey(row))
                {
                    AlreadyPresent++;
                    continue;
                }

                rows.Add(row);
                // Measured on the message itself: wrapping, not copying, the payload.
                MissingMessageBytes += new Store.Protos.WakuMessage
                {
                    Payload = UnsafeByteOperations.UnsafeWrap(m.Payload),
                    ContentTopic = m.ContentTopic,
                    Version = m.Version,
                    Timestamp = m.Timestamp,
                    Meta = m.Meta is null ? ByteString.Empty : UnsafeByteOperations.UnsafeWrap(m.Meta),
                }.CalculateSize();
                if (options.DryRun)
                {
                    MissingHashes.Add(m.MessageHashHex);
                }
            }

            Missing += rows.Count;
            if (writer is not null && rows.Count > 0)
            {
                long inserted = Insert(writer, rows);
                Inserted += inserted;
                counters.Inserted += inserted;
                AlreadyPresent += rows.Count - inserted; // another writer (a running node) stored them meanwhile
            }

            // Known to the index only once committed (or, on a dry run, once counted).
            foreach (var row in rows)
            {
                index.Add(row);
            }
        }

        /// <summary>One page in one transaction; a database that cannot be written ends the reseed with a typed error.</summary>
        private long Insert(NwakuDatabaseWriter target, List<object?[]> rows)
        {
            try
            {
                return target.InsertMissingMessages(rows);
            }
            catch (Microsoft.Data.Sqlite.SqliteException e)
            {
                throw WriteGuard.Refusal(e, $"{Inserted} message(s) were stored before; run reseed again to continue.");
            }
        }

        private void Reject(string peer, string hash, string reason, PeerCounters counters)
        {
            counters.Rejected++;
            Rejections.Add(new ReseedRejection(peer, hash, reason));
        }

        private ReseedProgress Progress(string stage, string peer, long? missing = null) =>
            new(stage, peer, _listed, missing ?? Missing, _fetched, Inserted, _bytes, clock.Elapsed);

        /// <summary>Counts one response page and records the entries the client rejected (bad hash, outside the query, …).</summary>
        private void Count(StorePage page, string peer, PeerCounters counters)
        {
            counters.Pages++;
            counters.Bytes += page.ResponseBytes;
            _bytes += page.ResponseBytes;
            foreach (var r in page.Rejected)
            {
                Reject(peer, r.ClaimedHash, $"{r.Reason}: {r.Detail}", counters);
            }
        }

        private sealed class PeerCounters
        {
            public long Listed, Fetched, Inserted, Rejected, Pages, Bytes;
        }
    }
}
