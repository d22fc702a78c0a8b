using Waku.StoreForensics.Net.Multiformats;

namespace Waku.StoreForensics.Net.Probe;

/// <summary>Dials a node, asks identify, pings it and judges it against <see cref="KnownClients"/>.</summary>
public static class NodeProbe
{
    /// <summary>
    /// Probes <paramref name="address"/>. Failures of the remote or the network are reported in the result
    /// (<see cref="ProbeReport.FailureReason"/>), not thrown.
    /// </summary>
    /// <param name="address">The node; with <c>/p2p/…</c> its peer ID is checked.</param>
    /// <param name="options">Our identity, timeouts and metadata answer.</param>
    /// <param name="expectedClients">Client IDs whose needs decide <see cref="ProbeReport.Satisfied"/>.</param>
    /// <param name="cancellationToken">Cancels the probe.</param>
    public static async Task<ProbeReport> ProbeAsync(Multiaddress address, Libp2pHostOptions options, IReadOnlyCollection<string> expectedClients, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(expectedClients);
        foreach (var id in expectedClients)
        {
            if (KnownClients.Find(id) is null)
            {
                throw new ArgumentException($"Unknown client '{id}'; known: {string.Join(", ", KnownClients.All.Select(c => c.Id))}.", nameof(expectedClients));
            }
        }

        var host = new Libp2pHost(options);
        await using (host.ConfigureAwait(false))
        {
            Libp2pConnection connection;
            Identify.IdentifyInfo info;
            try
            {
                connection = await host.DialAsync(address, cancellationToken).ConfigureAwait(false);
                info = await connection.IdentifyAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Libp2pException e)
            {
                return new ProbeReport
                {
                    Address = address.ToString(),
                    FailureReason = e.Reason,
                    FailureMessage = e.Message,
                    Verdicts = Judge([], expectedClients),
                };
            }

            double? rtt = null;
            string? pingError = null;
            try
            {
                rtt = (await connection.PingAsync(cancellationToken).ConfigureAwait(false)).TotalMilliseconds;
            }
            catch (Libp2pException e)
            {
                pingError = $"{e.Reason}: {e.Message}";
            }

            Metadata.WakuMetadataOptions? metadata = null;
            string? metadataError = null;
            if (info.Protocols.Contains(Metadata.WakuMetadataProtocol.ProtocolId) && options.WakuMetadata is { } ours)
            {
                // Knowing the node's cluster tells the user which --cluster-id a reseed must announce (nwaku v0.25+
                // drops peers of another cluster).
                try
                {
                    metadata = await connection.GetWakuMetadataAsync(ours, cancellationToken).ConfigureAwait(false);
                }
                catch (Libp2pException e)
                {
                    metadataError = $"{e.Reason}: {e.Message}";
                }
            }

            var storeOptions = new Store.StoreClientOptions { RequestTimeout = options.HandlerTimeout, MaxRetries = 0 };
            var (storeAnswered, storeMessages, storeError) = await TryStoreAsync(info.Protocols, Store.StoreQueryClient.ProtocolId,
                () => new Store.StoreQueryClient(connection, storeOptions).QueryPagesAsync(new Store.StoreQuery { IncludeData = false, PageSize = 1 }, cancellationToken)).ConfigureAwait(false);
            string legacyTopic = metadata is { } m ? $"/waku/2/rs/{m.ClusterId}/0" : "/waku/2/default-waku/proto";
            var (legacyAnswered, legacyMessages, legacyError) = await TryStoreAsync(info.Protocols, Store.LegacyStoreClient.ProtocolId,
                () => new Store.LegacyStoreClient(connection, storeOptions).QueryPagesAsync(new Store.StoreQuery { PubsubTopic = legacyTopic, PageSize = 1 }, cancellationToken)).ConfigureAwait(false);
            var beta3 = await TryBeta3Async(info.Protocols, connection, storeOptions, cancellationToken).ConfigureAwait(false);
            var report = new ProbeReport
            {
                Address = address.ToString(),
                Connected = true,
                PeerId = connection.RemotePeer.ToString(),
                Muxer = connection.Muxer,
                MuxerNegotiatedEarly = connection.MuxerNegotiatedEarly,
                AgentVersion = info.AgentVersion,
                ProtocolVersion = info.ProtocolVersion,
                Protocols = info.Protocols.Order(StringComparer.Ordinal).Select(AdvertisedProtocol.Parse).ToArray(),
                ListenAddresses = info.ListenAddresses,
                PingMilliseconds = rtt,
                PingError = pingError,
                ClusterId = metadata?.ClusterId,
                Shards = metadata?.Shards,
                MetadataError = metadataError,
                StoreV3Answered = storeAnswered,
                StoreV3FirstPageCount = storeMessages,
                StoreV3Error = storeError,
                StoreLegacyAnswered = legacyAnswered,
                StoreLegacyPubsubTopic = legacyAnswered is null ? null : legacyTopic,
                StoreLegacyFirstPageCount = legacyMessages,
                StoreLegacyError = legacyError,
                StoreBeta3Answered = beta3.Answered,
                StoreBeta3PubsubTopic = beta3.Answered is null ? null : Beta3DefaultTopic,
                StoreBeta3FirstPageCount = beta3.Count,
                StoreBeta3Encoding = beta3.Verdict?.Encoding is { } encoding ? Store.Beta3EncodingVerdict.ReleaseRange(encoding) : null,
                StoreBeta3EncodingSource = beta3.Verdict?.Source,
                StoreBeta3Verdict = beta3.Verdict is { } v ? DescribeBeta3(v) : null,
                StoreBeta3Error = beta3.Error,
                Verdicts = Judge(info.Protocols, expectedClients),
            };
            await connection.DisposeAsync().ConfigureAwait(false);
            return report;
        }
    }

    /// <summary>When the node advertises <paramref name="protocol"/>, the first page of a one-message query: does its store answer?</summary>
    private static async Task<(bool? Answered, int? Count, string? Error)> TryStoreAsync(IReadOnlyCollection<string> protocols, string protocol, Func<IAsyncEnumerable<Store.StorePage>> query)
    {
        if (!protocols.Contains(protocol))
        {
            return (null, null, null);
        }

        try
        {
            await foreach (var page in query().ConfigureAwait(false))
            {
                return (true, page.Messages.Count + page.Rejected.Count, null);
            }

            return (true, 0, null);
        }
        catch (Store.StoreException e)
        {
            return (false, null, $"{e.Kind}: {e.Message}");
        }
    }

    /// <summary>The default pubsub topic of 2021, when beta3 was spoken (nwaku v0.3–v0.7, js-waku 0.3–0.12).</summary>
    private const string Beta3DefaultTopic = "/waku/2/default-waku/proto";

    /// <summary>When the node advertises beta3, the first page of a one-message query with the encoding detected.</summary>
    private static async Task<(bool? Answered, int? Count, Store.Beta3EncodingVerdict? Verdict, string? Error)> TryBeta3Async(
        IReadOnlyCollection<string> protocols, Libp2pConnection connection, Store.StoreClientOptions options, CancellationToken cancellationToken)
    {
        if (!protocols.Contains(Store.Beta3StoreClient.ProtocolId))
        {
            return (null, null, null, null);
        }

        try
        {
            var client = new Store.Beta3StoreClient(connection, encoding: null, options);
            await foreach (var page in client.QueryPagesAsync(new Store.StoreQuery { PubsubTopic = Beta3DefaultTopic, PageSize = 1 }, cancellationToken).ConfigureAwait(false))
            {
                return (true, page.Page.Messages.Count + page.Page.Rejected.Count, page.Encoding, null);
            }

            return (true, 0, null, null);
        }
        catch (Store.StoreException e)
        {
            return (false, null, null, $"{e.Kind}: {e.Message}");
        }
    }

    /// <summary>The July 2021 question in one sentence. What a client of the other encoding does was observed with
    /// js-waku 0.3.0's and 0.12.2's own generated decoders (tests/interop/js-waku-beta3): they throw on a page with
    /// messages and see an empty one as empty, so nothing is read either way.</summary>
    private static string DescribeBeta3(Store.Beta3EncodingVerdict verdict) => verdict.Encoding switch
    {
        Store.Beta3Encoding.Nwaku05To07 =>
            "This node speaks beta3 with v0.5-v0.7 field numbers (nwaku v0.5+, js-waku 0.12.2): a v0.3/v0.4 client (js-waku 0.3.0) cannot read its answers (they fail to decode, or look empty).",
        Store.Beta3Encoding.Nwaku03To04 =>
            "This node speaks beta3 with v0.3-v0.4 field numbers (nwaku v0.3-v0.4, js-waku 0.3.0): a v0.5-v0.7 client (js-waku 0.12.2) cannot read its answers (they fail to decode, or look empty).",
        _ => "This node answers beta3, but its answer reads the same in both encodings (e.g. an empty page), so which field numbers it uses is unknown.",
    };

    /// <summary>Judges a protocol list against every known client.</summary>
    public static IReadOnlyList<CompatibilityVerdict> Judge(IReadOnlyCollection<string> protocols, IReadOnlyCollection<string> expectedClients)
    {
        ArgumentNullException.ThrowIfNull(protocols);
        ArgumentNullException.ThrowIfNull(expectedClients);
        var offered = protocols.ToHashSet(StringComparer.Ordinal);
        return KnownClients.All.Select(client =>
        {
            var missing = client.RequiredAnyOf.Where(group => !group.Any(offered.Contains)).Select(group => string.Join(" | ", group)).ToArray();
            bool expected = expectedClients.Contains(client.Id, StringComparer.OrdinalIgnoreCase);
            return new CompatibilityVerdict(client.Id, client.Client, missing.Length == 0, missing, expected, client.Note);
        }).ToArray();
    }
}
