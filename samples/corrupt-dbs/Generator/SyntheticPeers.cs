using Google.Protobuf;
using NBitcoin.Secp256k1;
using Waku.StoreForensics.Schema;

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
        // StoredInfo { bytes peer_id = 1; repeated bytes addrs = 2; repeated string protos = 3; bytes public_key = 4;
        //              uint32 connectedness = 5; uint64 disconnect_time = 6 } — nim minprotobuf writes every field, unpacked.
        var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        output.WriteTag(1, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(peerId));
        int addressCount = random.Next(1, 3);
        for (int a = 0; a < addressCount; a++)
        {
            // binary multiaddr /ip4/<a.b.c.d>/tcp/<port>: code 4 + 4 bytes, code 6 + 2-byte big-endian port
            var ip = new byte[4];
            random.NextBytes(ip);
            ip[0] = (byte)random.Next(1, 224);
            int port = a == 0 ? 60000 : random.Next(30000, 65000);
            byte[] address = [0x04, .. ip, 0x06, (byte)(port >> 8), (byte)port];
            output.WriteTag(2, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(ByteString.CopyFrom(address));
        }

        foreach (string protocol in protocols)
        {
            output.WriteTag(3, WireFormat.WireType.LengthDelimited);
            output.WriteString(protocol);
        }

        output.WriteTag(4, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(publicKey));
        if (connectedness is { } c)
        {
            output.WriteTag(5, WireFormat.WireType.Varint);
            output.WriteUInt32((uint)c);
        }

        if (disconnectTime is { } t)
        {
            output.WriteTag(6, WireFormat.WireType.Varint);
            output.WriteUInt64((ulong)t);
        }

        output.Flush();
        return stream.ToArray();
    }
}
