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
                Verdicts = Judge(info.Protocols, expectedClients),
            };
            await connection.DisposeAsync().ConfigureAwait(false);
            return report;
        }
    }

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
