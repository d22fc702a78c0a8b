using Microsoft.Data.Sqlite;
using Waku.StoreForensics.Net;
using Waku.StoreForensics.Net.Crypto;
using Waku.StoreForensics.Net.Identify;
using Waku.StoreForensics.Net.Multiformats;
using Waku.StoreForensics.Scanning;
using Waku.StoreForensics.Schema;
using Waku.StoreForensics.Sqlite;
using Waku.StoreForensics.Validation;

namespace Waku.StoreForensics.PeerExchange;

/// <summary>
/// Rebuilds the Peer table of an nwaku database from live nodes: dials each, identifies it, asks it for peers over
/// peer exchange, builds one row for it and one per verified ENR as nwaku writes them, checks each with
/// <see cref="PeerRowValidator"/>, and writes them in one transaction with <c>REPLACE</c> (by peer ID).
/// </summary>
/// <remarks>
/// <para>Several nodes: every node is asked (each knows other peers), in the order given; one that cannot be reached or
/// identified is reported and the others go on. A peer appears once: a dialled node's own row (first-hand: identify,
/// connectedness) wins over any ENR of it; between ENRs of one peer from several nodes the highest sequence number
/// (the newest record) wins, the first on a tie.</para>
/// <para>Layout and era: an existing Peer table keeps its layout. The two-column table is v0.23+ (RemotePeerInfo).
/// A four-column table whose rows fill connectedness is v0.3–v0.22 (StoredInfo); one whose rows leave it NULL is
/// v0.23+; an empty one is v0.3–v0.12 (StoredInfo) when the file also holds the Message table, else v0.23+.
/// A missing table is created with the catalog's four-column DDL (peer script 00001, the table every release
/// reads); a missing file is created as a <c>peers.db</c> (user_version 1, WAL). <see cref="PeerReseedOptions.Era"/>
/// overrides the era.</para>
/// <para>Evidence: only the named file is written. Refused (see <see cref="WriteRefusal"/>): a non-empty
/// <c>-journal</c> beside it (always), a non-empty <c>-wal</c> or damage found by <see cref="StoreScanner"/> (unless
/// forced), a lock held by another connection (always). Work on a copy of a file that is evidence.</para>
/// </remarks>
public static class PeerReseeder
{
    /// <summary>Reseeds the Peer table of <paramref name="databasePath"/> from the nodes at <paramref name="nodes"/>.</summary>
    /// <exception cref="WriteRefusedException">The database may not be written (see <see cref="WriteRefusal"/>).</exception>
    /// <exception cref="Libp2pException">No node could be dialled and identified (each one's failure is in the message).</exception>
    public static async Task<PeerReseedReport> ReseedAsync(string databasePath, IReadOnlyList<Multiaddress> nodes, PeerReseedOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentOutOfRangeException.ThrowIfZero(nodes.Count, nameof(nodes));
        options ??= new PeerReseedOptions();
        options.Validate();
        string path = Path.GetFullPath(databasePath);
        var target = Plan(path, options, cancellationToken);

        Identity? ownIdentity = options.Host is null ? Identity.CreateSecp256k1() : null;
        try
        {
            var host = new Libp2pHost(options.Host ?? new Libp2pHostOptions(ownIdentity!));
            await using (host.ConfigureAwait(false))
            {
                var now = options.Now ?? DateTimeOffset.UtcNow;
                var asked = new List<AskedNode>();
                var answers = new List<(Multiaddress Address, ReseededPeer Dialed, PeerExchangeResult? Exchange)>();
                foreach (var node in nodes)
                {
                    var (report, answer) = await AskAsync(host, node, target, options, now, cancellationToken).ConfigureAwait(false);
                    asked.Add(report);
                    if (answer is { } a)
                    {
                        answers.Add((node, a.Dialed, a.Exchange));
                    }
                }

                if (answers.Count == 0)
                {
                    throw new Libp2pException(asked[0].DialError!.Value, asked.Count == 1
                        ? asked[0].DialErrorMessage!
                        : $"None of the {asked.Count} nodes could be reached: {string.Join("; ", asked.Select(n => $"{n.Address}: {n.DialError}: {n.DialErrorMessage}"))}");
                }

                var (peers, duplicates) = Merge(target, answers);
                foreach (var p in peers)
                {
                    PeerRowBuilder.Check(target.Schema, p, now);
                }

                int written = options.DryRun ? 0 : Write(target, peers);
                return new PeerReseedReport
                {
                    Database = path,
                    Nodes = asked,
                    Layout = target.Schema.Id,
                    Era = target.Era,
                    DatabaseCreated = !options.DryRun && !target.Exists,
                    TableCreated = !options.DryRun && !target.TableExists,
                    DryRun = options.DryRun,
                    DamageFindings = target.DamageFindings,
                    Written = written,
                    Peers = peers,
                    DuplicateEnrs = duplicates,
                };
            }
        }
        finally
        {
            ownIdentity?.Dispose();
        }
    }

    /// <summary>Dials, identifies and asks one node; a node that cannot be dialled or identified is reported, not thrown.</summary>
    private static async Task<(AskedNode Report, (ReseededPeer Dialed, PeerExchangeResult? Exchange)? Answer)> AskAsync(
        Libp2pHost host, Multiaddress node, Target target, PeerReseedOptions options, DateTimeOffset now, CancellationToken cancellationToken)
    {
        Libp2pConnection connection;
        IdentifyInfo identify;
        try
        {
            connection = await host.DialAsync(node, cancellationToken).ConfigureAwait(false);
        }
        catch (Libp2pException e)
        {
            return (new AskedNode { Address = node.ToString(), DialError = e.Reason, DialErrorMessage = e.Message }, null);
        }

        PeerExchangeResult? exchange = null;
        PeerExchangeException? failure = null;
        await using (connection.ConfigureAwait(false))
        {
            try
            {
                identify = await connection.IdentifyAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Libp2pException e)
            {
                return (new AskedNode { Address = node.ToString(), PeerId = connection.RemotePeer.ToString(), DialError = e.Reason, DialErrorMessage = e.Message }, null);
            }

            try
            {
                exchange = await new PeerExchangeClient(connection, options.PeerExchange).RequestAsync(options.PeerCount, cancellationToken).ConfigureAwait(false);
            }
            catch (PeerExchangeException e)
            {
                failure = e;
            }
        }

        var report = new AskedNode
        {
            Address = node.ToString(),
            PeerId = connection.RemotePeer.ToString(),
            Reached = true,
            EnrsReceived = exchange is null ? 0 : exchange.Peers.Count + exchange.Rejected.Count,
            RejectedEnrs = exchange?.Rejected ?? [],
            PeerExchangeError = failure?.Kind,
            PeerExchangeStatusCode = failure?.StatusCode,
            PeerExchangeErrorMessage = failure?.Message,
        };
        return (report, (PeerRowBuilder.FromDialed(target.Schema, target.Era, connection.RemotePeer, node, identify, now) with { From = node.ToString() }, exchange));
    }

    /// <summary>One row per peer: dialled nodes first, in order; then ENR peers, the newest record of each.</summary>
    private static (List<ReseededPeer> Peers, int Duplicates) Merge(Target target, List<(Multiaddress Address, ReseededPeer Dialed, PeerExchangeResult? Exchange)> answers)
    {
        var peers = new List<ReseededPeer>();
        var index = new Dictionary<string, (int Row, ulong? Sequence)>(StringComparer.Ordinal);
        int duplicates = 0;
        foreach (var (_, dialed, _) in answers)
        {
            if (index.TryAdd(dialed.PeerId, (peers.Count, null)))
            {
                peers.Add(dialed);
            }
        }

        foreach (var (address, _, exchange) in answers)
        {
            foreach (var enr in exchange?.Peers ?? [])
            {
                string id = enr.PeerId.ToString();
                var row = PeerRowBuilder.FromEnr(target.Schema, target.Era, enr) with { From = address.ToString() };
                if (!index.TryGetValue(id, out var existing))
                {
                    index[id] = (peers.Count, enr.Sequence);
                    peers.Add(row);
                    continue;
                }

                duplicates++;
                if (existing.Sequence is { } seen && enr.Sequence > seen)
                {
                    peers[existing.Row] = row;
                    index[id] = (existing.Row, enr.Sequence);
                }
            }
        }

        return (peers, duplicates);
    }

    /// <summary>Where and how rows go: checked before any network traffic so a refusal costs nothing.</summary>
    internal sealed record Target(string Path, bool Exists, bool TableExists, PeerTableSchema Schema, PeerStorageEra Era, int DamageFindings);

    internal static Target Plan(string path, PeerReseedOptions options, CancellationToken cancellationToken)
    {
        var fourColumns = NwakuSchemaCatalog.Get(PeerSchemaId.FourColumns);
        if (!File.Exists(path))
        {
            string folder = Path.GetDirectoryName(path)!;
            if (!Directory.Exists(folder))
            {
                throw new DirectoryNotFoundException($"{folder} does not exist");
            }

            return new Target(path, false, false, fourColumns, options.Era ?? PeerStorageEra.RemotePeerInfo, 0);
        }

        // A dry run writes nothing, so a live node's peers.db (non-empty -wal) may be read as it is.
        var scan = options.DryRun
            ? StoreScanner.Scan(path, cancellationToken: cancellationToken)
            : WriteGuard.Check(path, options.Force, cancellationToken: cancellationToken);
        int damage = scan.Findings.Count(f => f.Severity == Severity.Error);

        using var db = SqliteDatabase.Open(path);
        var detection = SchemaDetector.Detect(db.Header.UserVersion, db.Schema);
        if (detection.Peer is null)
        {
            if (detection.Message is not null && !options.Force)
            {
                throw new WriteRefusedException(WriteRefusal.PeersBelongInPeersDb,
                    "The file holds the Message table but no Peer table: nwaku v0.13+ keeps peers in a separate peers.db. Name that file, or --force to create the Peer table here (v0.3–v0.12 with --persist-peers).");
            }

            var era = options.Era ?? (detection.Message is not null ? PeerStorageEra.StoredInfo : PeerStorageEra.RemotePeerInfo);
            return new Target(path, true, false, fourColumns, era, damage);
        }

        if (detection.Peer is not { IsExactMatch: true, Schema: { } schema })
        {
            throw new WriteRefusedException(WriteRefusal.UnknownPeerLayout,
                $"The Peer table's columns match no layout nwaku created ({string.Join("; ", detection.Peer.Differences)}).");
        }

        return new Target(path, true, true, schema, options.Era ?? DetectEra(db, detection, schema), damage);
    }

    private static PeerStorageEra DetectEra(SqliteDatabase db, SchemaDetection detection, PeerTableSchema schema)
    {
        if (schema.Id == PeerSchemaId.TwoColumns)
        {
            return PeerStorageEra.RemotePeerInfo;
        }

        int connectedness = schema.IndexOf(ColumnRole.Connectedness);
        bool any = false;
        if (db.FindObject(detection.Peer!.TableName) is { RootPage: > 0 } entry)
        {
            foreach (var row in db.ReadRows(entry.RootPage, db.GetTableDefinition(entry.Name)))
            {
                any = true;
                if (row.Values[connectedness] is not null)
                {
                    return PeerStorageEra.StoredInfo;
                }
            }
        }

        return any || detection.Message is null ? PeerStorageEra.RemotePeerInfo : PeerStorageEra.StoredInfo;
    }

    /// <summary>Writes the rows in one transaction; returns how many.</summary>
    internal static int Write(Target target, IReadOnlyList<ReseededPeer> peers)
    {
        if (!target.Exists)
        {
            // A v0.13+ peers.db as nwaku's migration leaves it: WAL, user_version 1, the four-column table.
            using var created = NwakuDatabaseWriter.Create(target.Path, null, target.Schema);
            return (int)created.InsertPeers(peers.Select(p => p.Row));
        }

        try
        {
            // The shortest busy wait (Microsoft.Data.Sqlite retries for 1 s): a lock means a running node, refused rather than waited for.
            using var writer = NwakuDatabaseWriter.OpenExisting(target.Path, null, target.Schema, TimeSpan.Zero);
            // nwaku's statements: all four columns to v0.22, (peerId, storedInfo) from v0.23.
            int columns = target.Era == PeerStorageEra.StoredInfo ? target.Schema.Columns.Count : 2;
            return (int)writer.ReplacePeers(peers.Select(p => p.Row), columns);
        }
        catch (SqliteException e)
        {
            throw WriteGuard.Refusal(e, "Nothing was written.");
        }
    }
}
