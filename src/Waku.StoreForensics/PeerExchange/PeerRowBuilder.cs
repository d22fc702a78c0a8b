using System.Text;
using Google.Protobuf;
using Waku.StoreForensics.Net;
using Waku.StoreForensics.Net.Identify;
using Waku.StoreForensics.Net.Multiformats;
using Waku.StoreForensics.Schema;
using Waku.StoreForensics.Schema.Protos;
using Waku.StoreForensics.Validation;

namespace Waku.StoreForensics.PeerExchange;

/// <summary>
/// Builds Peer rows as nwaku writes them (shared/reference/nwaku-store-format.md §3): <c>storedInfo</c> in the
/// protobuf of the era (every field written; <c>enr</c> only from v0.23 and only when known), the connectedness
/// and disconnect time in the columns (v0.3–v0.22) or in fields 5/6 (v0.23+, columns left NULL).
/// </summary>
internal static class PeerRowBuilder
{
    /// <summary>The peer we dialled, identified, and disconnected from: CanConnect, disconnected now (§3.1: what
    /// nwaku writes on disconnect).</summary>
    public static ReseededPeer FromDialed(PeerTableSchema schema, PeerStorageEra era, PeerId peer, Multiaddress dialed, IdentifyInfo identify, DateTimeOffset now)
    {
        // The key from identify only when it derives to the peer the Noise handshake proved; else the inlined key.
        byte[]? key = identify.PublicKeyProtobuf is { } sent && PeerId.FromPublicKey(sent).Equals(peer) ? sent : peer.TryGetInlinePublicKey();
        if (key is null)
        {
            throw new InvalidOperationException($"Peer {peer} sent no public key over identify and its ID does not inline one: nwaku cannot store it.");
        }

        var addresses = new List<Multiaddress>();
        foreach (byte[] bytes in identify.ListenAddressBytes)
        {
            try
            {
                var address = Multiaddress.FromBytes(bytes).WithoutPeerId();
                if (!addresses.Contains(address))
                {
                    addresses.Add(address);
                }
            }
            catch (Exception e) when (e is FormatException or Libp2pException)
            {
                // An address this library cannot decode is not stored: the validator could not vouch for it.
            }
        }

        if (addresses.Count == 0)
        {
            addresses.Add(dialed.WithoutPeerId());
        }

        // Protocol IDs are printable paths; anything else is not something nwaku's identify would have kept.
        var protocols = identify.Protocols.Where(p => p.StartsWith('/') && !p.Any(char.IsControl)).Distinct(StringComparer.Ordinal).ToArray();
        return Build(schema, era, PeerRowSource.Dialed, peer, key, addresses, protocols, Connectedness.CanConnect, now.ToUnixTimeSeconds(), null);
    }

    /// <summary>A peer learnt from peer exchange: NotConnected, never disconnected; the ENR kept from v0.23.</summary>
    public static ReseededPeer FromEnr(PeerTableSchema schema, PeerStorageEra era, Enr enr) =>
        Build(schema, era, PeerRowSource.PeerExchange, enr.PeerId, enr.PublicKeyProtobuf, enr.ListenAddresses, [], Connectedness.NotConnected, 0, enr);

    /// <summary>Validates a built row with <see cref="PeerRowValidator"/>; a row with an error finding is a bug here.</summary>
    public static void Check(PeerTableSchema schema, ReseededPeer peer, DateTimeOffset now)
    {
        var errors = PeerRowValidator.Validate(schema, peer.Row, new RowValidationOptions { Now = now })
            .Where(f => f.Severity == Severity.Error).ToArray();
        if (errors.Length > 0)
        {
            throw new InvalidOperationException($"The row built for {peer.PeerId} fails validation: {string.Join("; ", errors.Select(f => f.ToString()))}");
        }
    }

    private static ReseededPeer Build(PeerTableSchema schema, PeerStorageEra era, PeerRowSource source, PeerId peer, byte[] publicKey,
        IReadOnlyList<Multiaddress> addresses, IReadOnlyList<string> protocols, Connectedness connectedness, long disconnectTime, Enr? enr)
    {
        byte[] storedInfo;
        if (era == PeerStorageEra.StoredInfo)
        {
            var info = new StoredInfo { PeerId = ByteString.CopyFrom(peer.Bytes), PublicKey = ByteString.CopyFrom(publicKey) };
            info.Addrs.AddRange(addresses.Select(a => ByteString.CopyFrom(a.ToBytes())));
            info.Protos.AddRange(protocols.Select(p => ByteString.CopyFrom(Encoding.UTF8.GetBytes(p))));
            storedInfo = info.ToByteArray();
        }
        else
        {
            var info = new RemotePeerInfo
            {
                PeerId = ByteString.CopyFrom(peer.Bytes),
                PublicKey = ByteString.CopyFrom(publicKey),
                Connectedness = (uint)connectedness,
                DisconnectTime = (ulong)disconnectTime,
            };
            info.Addrs.AddRange(addresses.Select(a => ByteString.CopyFrom(a.ToBytes())));
            info.Protos.AddRange(protocols.Select(p => ByteString.CopyFrom(Encoding.UTF8.GetBytes(p))));
            if (enr is not null)
            {
                info.Enr = ByteString.CopyFrom(enr.Record);
            }

            storedInfo = info.ToByteArray();
        }

        object?[] row = schema.Id == PeerSchemaId.TwoColumns
            ? [peer.Bytes.ToArray(), storedInfo]
            : era == PeerStorageEra.StoredInfo
                ? [peer.Bytes.ToArray(), storedInfo, (long)connectedness, disconnectTime]
                : [peer.Bytes.ToArray(), storedInfo, null, null];

        return new ReseededPeer(
            source,
            peer.ToString(),
            addresses.Select(a => a.ToString()).ToArray(),
            protocols,
            Convert.ToHexStringLower(publicKey),
            connectedness,
            disconnectTime,
            enr?.ToString(),
            enr?.Waku2,
            Convert.ToHexStringLower(storedInfo))
        {
            Row = row,
        };
    }
}
