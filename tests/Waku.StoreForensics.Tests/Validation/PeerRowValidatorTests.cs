using Google.Protobuf;
using Waku.StoreForensics.Net.Crypto;
using Waku.StoreForensics.Net.Multiformats;
using Waku.StoreForensics.SampleGenerator;
using Waku.StoreForensics.Schema;
using Waku.StoreForensics.Schema.Protos;
using Waku.StoreForensics.Validation;

namespace Waku.StoreForensics.Tests.Validation;

public class PeerRowValidatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 0, 0, 0, TimeSpan.Zero);
    private static readonly RowValidationOptions Options = new() { Now = Now };
    private static readonly PeerTableSchema FourColumns = NwakuSchemaCatalog.Get(PeerSchemaId.FourColumns);
    private static readonly PeerTableSchema TwoColumns = NwakuSchemaCatalog.Get(PeerSchemaId.TwoColumns);

    // 2025-06-01T12:00:00Z
    private const long Time2025 = 1_748_779_200L;

    /// <summary>Generator peers of the v0.4 era (columns filled, StoredInfo fields 1–4).</summary>
    private static List<SyntheticPeer> V04Peers() => SyntheticPeers.Generate(seed: 3, count: 8, MessageSchemaId.S1, eraStartSeconds: 1_625_000_000);

    /// <summary>Generator peers of the v0.37 era (columns NULL, RemotePeerInfo with fields 5 and 6).</summary>
    private static List<SyntheticPeer> V037Peers() => SyntheticPeers.Generate(seed: 3, count: 8, MessageSchemaId.S10, eraStartSeconds: Time2025);

    private static object?[] FourColumnRow(SyntheticPeer peer) => [peer.PeerId, peer.StoredInfo, peer.Connectedness, peer.DisconnectTime];

    /// <summary>A v0.23+ row (four-column table, columns left NULL) whose RemotePeerInfo is changed by <paramref name="change"/>.</summary>
    private static object?[] V037Row(Action<RemotePeerInfo> change, int peer = 0)
    {
        SyntheticPeer good = V037Peers()[peer];
        RemotePeerInfo info = RemotePeerInfo.Parser.ParseFrom(good.StoredInfo);
        change(info);
        return [good.PeerId, info.ToByteArray(), null, null];
    }

    private static IReadOnlyList<Finding> Validate(object?[] row, PeerTableSchema? schema = null) =>
        PeerRowValidator.Validate(schema ?? FourColumns, row, Options, new Location(Page: 7, Offset: 123));

    [Fact]
    public void Validate_GeneratedV04Peers_HaveNoFindings()
    {
        List<SyntheticPeer> peers = V04Peers();

        Assert.All(peers, p => Assert.NotNull(p.Connectedness));
        Assert.All(peers, p => Assert.Empty(Validate(FourColumnRow(p))));
    }

    [Fact]
    public void Validate_GeneratedV037Peers_InBothLayouts_HaveNoFindings()
    {
        List<SyntheticPeer> peers = V037Peers();

        Assert.All(peers, p => Assert.Null(p.Connectedness));
        Assert.All(peers, p => Assert.Empty(Validate(FourColumnRow(p))));
        Assert.All(peers, p => Assert.Empty(Validate([p.PeerId, p.StoredInfo], TwoColumns)));
    }

    [Fact]
    public void Validate_Ed25519PeerWithDnsWebsocketAddressAndEnr_HasNoFindings()
    {
        using Identity identity = Identity.CreateEd25519();
        var info = new RemotePeerInfo
        {
            PeerId = ByteString.CopyFrom(identity.PeerId.Bytes),
            PublicKey = ByteString.CopyFrom(identity.PublicKeyProtobuf),
            Connectedness = 2,
            DisconnectTime = (ulong)Time2025,
            Enr = ByteString.CopyFrom([0xf8, 0x4c, 0x01]),
        };
        info.Addrs.Add(ByteString.CopyFrom(Multiaddress.Parse("/dns4/node-01.do-ams3.waku.sandbox.status.im/tcp/8000/wss").ToBytes()));
        info.Protos.Add(ByteString.CopyFromUtf8("/vac/waku/relay/2.0.0"));

        Assert.Empty(Validate([identity.PeerId.Bytes.ToArray(), info.ToByteArray()], TwoColumns));
    }

    [Theory]
    [InlineData(10)]
    [InlineData(50)]
    [InlineData(-1)]
    public void Validate_StoredInfoCutInsideAField_ReportsTruncation(int keep)
    {
        SyntheticPeer peer = V04Peers()[0];
        byte[] cut = keep < 0 ? peer.StoredInfo[..^1] : peer.StoredInfo[..keep];

        Finding finding = Assert.Single(Validate([peer.PeerId, cut, peer.Connectedness, peer.DisconnectTime]));
        Assert.Equal(FindingKind.StoredInfoTruncated, finding.Kind);
        Assert.Equal(Severity.Error, finding.Severity);
        Assert.Equal("storedInfo", finding.Location.Column);
        Assert.Equal("Peer", finding.Location.Table);
        Assert.Equal(7, finding.Location.Page);
        Assert.Equal(Convert.ToHexStringLower(peer.PeerId), finding.Location.Key);
        Assert.Contains("cut short", finding.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_StoredInfoCutAtAFieldBoundary_ReportsTheMissingFields()
    {
        SyntheticPeer peer = V037Peers()[0];
        var info = RemotePeerInfo.Parser.ParseFrom(peer.StoredInfo);
        // Everything up to the protocol IDs survives: public key, connectedness and disconnect time are lost.
        var prefix = new RemotePeerInfo { PeerId = info.PeerId };
        prefix.Addrs.AddRange(info.Addrs);
        prefix.Protos.AddRange(info.Protos);
        byte[] cut = prefix.ToByteArray();
        Assert.Equal(cut, peer.StoredInfo[..cut.Length]);

        Finding finding = Assert.Single(Validate([peer.PeerId, cut, null, null]));
        Assert.Equal(FindingKind.StoredInfoFieldMissing, finding.Kind);
        Assert.Contains("public_key (4), connectedness (5), disconnect_time (6)", finding.Evidence, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(MessageSchemaId.S1)]
    [InlineData(MessageSchemaId.S10)]
    public void Validate_EveryProperPrefixOfAStoredInfo_IsReportedAsCutShort(MessageSchemaId era)
    {
        // nwaku writes every field, and both eras end in public_key or the fields behind it: no prefix is a whole value.
        foreach (SyntheticPeer peer in SyntheticPeers.Generate(seed: 8, count: 3, era, eraStartSeconds: Time2025))
        {
            for (int length = 0; length < peer.StoredInfo.Length; length++)
            {
                var findings = Validate([peer.PeerId, peer.StoredInfo[..length], peer.Connectedness, peer.DisconnectTime]);

                Assert.Contains(findings, f => f.Kind is FindingKind.StoredInfoTruncated or FindingKind.StoredInfoFieldMissing && f.Severity == Severity.Error);
            }
        }
    }

    [Fact]
    public void Validate_StoredInfoNotAProtobuf_ReportsMalformed()
    {
        SyntheticPeer peer = V04Peers()[0];
        byte[] garbage = [0x0f, 0x01, 0x02, 0x03]; // field 1 with wire type 7: no such wire type

        Finding finding = Assert.Single(Validate([peer.PeerId, garbage, peer.Connectedness, peer.DisconnectTime]));
        Assert.Equal(FindingKind.StoredInfoMalformed, finding.Kind);
    }

    [Fact]
    public void Validate_PublicKeyOfAnotherPeer_ReportsKeyMismatch()
    {
        ByteString otherKey = RemotePeerInfo.Parser.ParseFrom(V037Peers()[1].StoredInfo).PublicKey;
        object?[] row = V037Row(info => info.PublicKey = otherKey);

        Finding finding = Assert.Single(Validate(row));
        Assert.Equal(FindingKind.PublicKeyMismatch, finding.Kind);
        Assert.Equal(Severity.Error, finding.Severity);
        Assert.Contains("16Uiu2HA", finding.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_PeerIdColumnOfAnotherPeer_ReportsBothMismatches()
    {
        List<SyntheticPeer> peers = V04Peers();
        SyntheticPeer peer = peers[0];

        var kinds = Validate([peers[1].PeerId, peer.StoredInfo, peer.Connectedness, peer.DisconnectTime]).Select(f => f.Kind).Order().ToArray();

        Assert.Equal([FindingKind.StoredInfoPeerIdMismatch, FindingKind.PublicKeyMismatch], kinds);
    }

    [Fact]
    public void Validate_PublicKeyNotOnTheCurve_ReportsInvalidKey()
    {
        object?[] row = V037Row(info =>
        {
            byte[] key = info.PublicKey.ToByteArray();
            key[4] = 0x05; // compressed secp256k1 points start with 02 or 03
            info.PublicKey = ByteString.CopyFrom(key);
        });

        Finding finding = Assert.Single(Validate(row));
        Assert.Equal(FindingKind.PublicKeyInvalid, finding.Kind);
        Assert.Contains("not a point on the curve", finding.Evidence, StringComparison.Ordinal);
    }

    public static TheoryData<string, FindingKind, Severity> GarbledAddresses => new()
    {
        { "04c0a8", FindingKind.MultiaddrInvalid, Severity.Error },               // /ip4 cut after two bytes
        { "04c0a80001061f", FindingKind.MultiaddrInvalid, Severity.Error },       // /tcp port cut after one byte
        { "7f0102030405", FindingKind.MultiaddrInvalid, Severity.Error },         // code 127: no multiaddr protocol
        { "04c0a80001910203a3", FindingKind.MultiaddrNotChecked, Severity.Info }, // /ip4/192.168.0.1/udp/...: registered, not decoded
    };

    [Theory]
    [MemberData(nameof(GarbledAddresses))]
    public void Validate_GarbledMultiaddr_ReportsIt(string addressHex, FindingKind kind, Severity severity)
    {
        object?[] row = V037Row(info => info.Addrs.Add(ByteString.CopyFrom(Convert.FromHexString(addressHex))));

        Finding finding = Assert.Single(Validate(row));
        Assert.Equal(kind, finding.Kind);
        Assert.Equal(severity, finding.Severity);
        Assert.Contains("addrs[", finding.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_UnknownConnectednessColumn_ReportsIt()
    {
        SyntheticPeer peer = V04Peers()[0];

        Finding finding = Assert.Single(Validate([peer.PeerId, peer.StoredInfo, 7L, 0L]));
        Assert.Equal(FindingKind.ConnectednessUnknown, finding.Kind);
        Assert.Equal("connectedness", finding.Location.Column);
    }

    [Fact]
    public void Validate_UnknownConnectednessInRemotePeerInfo_ReportsIt()
    {
        Finding finding = Assert.Single(Validate(V037Row(info => info.Connectedness = 4)));

        Assert.Equal(FindingKind.ConnectednessUnknown, finding.Kind);
        Assert.Equal("storedInfo", finding.Location.Column);
    }

    [Theory]
    [InlineData(10L * 86_400, "in the future")]
    [InlineData(-5L * 365 * 86_400 - 2L * 365 * 86_400, "before 2020")]
    public void Validate_ImplausibleDisconnectTimeColumn_ReportsIt(long offsetFromNow, string expected)
    {
        SyntheticPeer peer = V04Peers()[0];
        long time = Now.ToUnixTimeSeconds() + offsetFromNow;

        Finding finding = Assert.Single(Validate([peer.PeerId, peer.StoredInfo, 2L, time]));
        Assert.Equal(FindingKind.DisconnectTimeImplausible, finding.Kind);
        Assert.Equal("disconnectTime", finding.Location.Column);
        Assert.Contains(expected, finding.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_DisconnectTimeInMilliseconds_NamesTheUnit()
    {
        Finding finding = Assert.Single(Validate(V037Row(info => info.DisconnectTime = (ulong)Time2025 * 1000)));

        Assert.Equal(FindingKind.DisconnectTimeImplausible, finding.Kind);
        Assert.Contains("milliseconds", finding.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_FutureDisconnectTimeInRemotePeerInfo_ReportsIt()
    {
        Finding finding = Assert.Single(Validate(V037Row(info => info.DisconnectTime = (ulong)Now.AddDays(30).ToUnixTimeSeconds())));

        Assert.Equal(FindingKind.DisconnectTimeImplausible, finding.Kind);
        Assert.Contains("in the future", finding.Explanation, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("55020102", "neither identity")]
    [InlineData("1220aabb", "declares 32 bytes but only 2 follow")]
    [InlineData("002b0802", "1–42 bytes")]
    public void Validate_PeerIdNotAMultihash_ReportsMalformed(string peerIdHex, string reason)
    {
        SyntheticPeer peer = V04Peers()[0];
        byte[] peerId = Convert.FromHexString(peerIdHex);

        var findings = Validate([peerId, peer.StoredInfo, peer.Connectedness, peer.DisconnectTime]);

        Finding malformed = Assert.Single(findings, f => f.Kind == FindingKind.PeerIdMalformed);
        Assert.Contains(reason, malformed.Explanation, StringComparison.Ordinal);
        // storedInfo still names the real peer: the two disagree.
        Assert.Contains(findings, f => f.Kind == FindingKind.StoredInfoPeerIdMismatch);
    }

    [Fact]
    public void Validate_IdentityPeerIdWithUnknownKeyType_ReportsInvalidKey()
    {
        SyntheticPeer peer = V04Peers()[0];
        byte[] peerId = (byte[])peer.PeerId.Clone();
        peerId[3] = 9; // PublicKey.Type = 9: no libp2p key type

        Finding finding = Assert.Single(Validate([peerId, peer.StoredInfo, peer.Connectedness, peer.DisconnectTime]), f => f.Kind == FindingKind.PeerIdKeyInvalid);
        Assert.Contains("key type 9", finding.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_V04RowWhoseStoredInfoHasV023Fields_WarnsOfUnexpectedFields()
    {
        SyntheticPeer peer = V04Peers()[0];
        var info = RemotePeerInfo.Parser.ParseFrom(peer.StoredInfo);
        info.Connectedness = 3;
        info.DisconnectTime = 0;

        Finding finding = Assert.Single(Validate([peer.PeerId, info.ToByteArray(), peer.Connectedness, peer.DisconnectTime]));
        Assert.Equal(FindingKind.StoredInfoUnexpectedFields, finding.Kind);
        Assert.Equal(Severity.Warning, finding.Severity);
    }

    [Fact]
    public void Validate_OnlyOneEraColumnNull_ReportsMissingValue()
    {
        SyntheticPeer peer = V04Peers()[0];

        Finding finding = Assert.Single(Validate([peer.PeerId, peer.StoredInfo, peer.Connectedness, null]));
        Assert.Equal(FindingKind.RequiredValueMissing, finding.Kind);
        Assert.Equal("disconnectTime", finding.Location.Column);
    }

    [Fact]
    public void Validate_GarbledProtocolId_WarnsOfIt()
    {
        Finding finding = Assert.Single(Validate(V037Row(info => info.Protos.Add(ByteString.CopyFrom([0x2f, 0xff, 0xfe, 0x01])))));

        Assert.Equal(FindingKind.ProtocolIdGarbled, finding.Kind);
        Assert.Equal(Severity.Warning, finding.Severity);
    }

    [Fact]
    public void Validate_NullOrTextValues_ReportStorage()
    {
        SyntheticPeer peer = V037Peers()[0];

        Assert.Equal(FindingKind.RequiredValueMissing, Assert.Single(Validate([peer.PeerId, null], TwoColumns)).Kind);
        Assert.Equal(FindingKind.UnexpectedStorageClass, Assert.Single(Validate(["16Uiu2HAm", peer.StoredInfo], TwoColumns)).Kind);
    }

    [Fact]
    public void ValidateRecord_WrongValueCount_ReportsRowShape()
    {
        Finding finding = Assert.Single(PeerRowValidator.ValidateRecord(TwoColumns, [new byte[] { 1 }, new byte[] { 2 }, 3L], Options));

        Assert.Equal(FindingKind.RowShapeMismatch, finding.Kind);
    }
}
