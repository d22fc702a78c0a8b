using System.Net;
using Google.Protobuf;
using NBitcoin.Secp256k1;
using Waku.StoreForensics.Net.Multiformats;
using Waku.StoreForensics.Schema;
using Waku.StoreForensics.Schema.Protos;

namespace Waku.StoreForensics.SampleGenerator;

/// <summary>A peer as the generator wrote it.</summary>
/// <param name="PeerId">Identity multihash of the libp2p PublicKey protobuf (39 bytes for secp256k1).</param>
/// <param name="StoredInfo">The StoredInfo/RemotePeerInfo protobuf.</param>
/// <param name="Connectedness">Connectedness column (null from v0.23).</param>
/// <param name="DisconnectTime">disconnectTime column in Unix seconds (null from v0.23).</param>
public sealed record SyntheticPeer(byte[] PeerId, byte[] StoredInfo, long? Connectedness, long? DisconnectTime);

/// <summary>
/// Deterministic secp256k1 peers (nwaku's default identity) and their StoredInfo protobufs, as the peer
/// storage of the layout's era writes them (nwaku reference §3).
/// </summary>
internal static class SyntheticPeers
{
    private static readonly string[] V04Protocols =
        ["/vac/waku/relay/2.0.0", "/vac/waku/store/2.0.0-beta3", "/vac/waku/filter/2.0.0-beta1", "/vac/waku/lightpush/2.0.0-beta1"];

    private static readonly string[] RecentProtocols =
        ["/vac/waku/relay/2.0.0", "/vac/waku/store-query/3.0.0", "/vac/waku/filter-subscribe/2.0.0-beta1", "/vac/waku/lightpush/2.0.0-beta1", "/vac/waku/metadata/1.0.0", "/vac/waku/peer-exchange/2.0.0-alpha1"];

    public static List<SyntheticPeer> Generate(int seed, int count, MessageSchemaId layout, long eraStartSeconds)
    {
        var random = new Random(unchecked(seed * 7919 + 17));
        bool fieldsInProtobuf = layout >= MessageSchemaId.S8; // v0.23+: connectedness and time move into storedInfo
        var peers = new List<SyntheticPeer>(count);
        while (peers.Count < count)
        {
            var secret = new byte[32];
            random.NextBytes(secret);
            if (!ECPrivKey.TryCreate(secret, out ECPrivKey? key))
            {
                continue; // zero or ≥ group order: draw again
            }

            byte[] compressed = key.CreatePubKey().ToBytes(compressed: true);
            // libp2p PublicKey { KeyType Type = 1 (Secp256k1 = 2); bytes Data = 2 } (peer-ids spec), ≤ 42 bytes → identity multihash.
            byte[] publicKey = [0x08, 0x02, 0x12, (byte)compressed.Length, .. compressed];
            byte[] peerId = [0x00, (byte)publicKey.Length, .. publicKey];

            long connectedness = random.Next(0, 4);
            long disconnectTime = connectedness == 2 ? eraStartSeconds - random.Next(60, 86_400) : 0;
            byte[] storedInfo = StoredInfo(random, peerId, publicKey, fieldsInProtobuf ? RecentProtocols : V04Protocols,
                fieldsInProtobuf ? connectedness : null, fieldsInProtobuf ? disconnectTime : null);
            peers.Add(fieldsInProtobuf
                ? new SyntheticPeer(peerId, storedInfo, null, null)
                : new SyntheticPeer(peerId, storedInfo, connectedness, disconnectTime));
        }

        return peers;
    }

    private static byte[] StoredInfo(Random random, byte[] peerId, byte[] publicKey, string[] protocols, long? connectedness, long? disconnectTime)
    {
        var addresses = new List<ByteString>();
        int addressCount = random.Next(1, 3);
        for (int a = 0; a < addressCount; a++)
        {
            var ip = new byte[4];
            random.NextBytes(ip);
            ip[0] = (byte)random.Next(1, 224);
            int port = a == 0 ? 60000 : random.Next(30000, 65000);
            var address = Multiaddress.FromEndPoint(new IPEndPoint(new IPAddress(ip), port));
            addresses.Add(ByteString.CopyFrom(address.ToBytes()));
        }

        var protocolIds = protocols.Select(ByteString.CopyFromUtf8);
        if (connectedness is null)
        {
            // v0.3–v0.22 StoredInfo: connectedness and disconnectTime are table columns.
            var storedInfo = new StoredInfo { PeerId = ByteString.CopyFrom(peerId), PublicKey = ByteString.CopyFrom(publicKey) };
            storedInfo.Addrs.AddRange(addresses);
            storedInfo.Protos.AddRange(protocolIds);
            return storedInfo.ToByteArray();
        }

        // v0.23+ RemotePeerInfo: nwaku writes connectedness (5) and disconnect_time (6) always, the ENR (7) only when known.
        var remotePeerInfo = new RemotePeerInfo
        {
            PeerId = ByteString.CopyFrom(peerId),
            PublicKey = ByteString.CopyFrom(publicKey),
            Connectedness = (uint)connectedness.Value,
            DisconnectTime = (ulong)disconnectTime!.Value,
        };
        remotePeerInfo.Addrs.AddRange(addresses);
        remotePeerInfo.Protos.AddRange(protocolIds);
        return remotePeerInfo.ToByteArray();
    }
}
