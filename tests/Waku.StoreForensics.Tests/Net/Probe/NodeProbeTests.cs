using System.Net;
using Waku.StoreForensics.Cli;
using Waku.StoreForensics.Net;
using Waku.StoreForensics.Net.Crypto;
using Waku.StoreForensics.Net.Probe;

namespace Waku.StoreForensics.Tests.Net.Probe;

public class NodeProbeTests
{
    private static CancellationToken Ct => new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token;

    [Fact]
    public void Judge_SeedRegression_RelayWithoutBeta2BreaksJuly2021JsWaku()
    {
        // July 2021: the node advertised only /vac/waku/relay/2.0.0; the released js-waku spoke beta2 only.
        var verdicts = NodeProbe.Judge(["/vac/waku/relay/2.0.0", "/vac/waku/store/2.0.0-beta4"], ["js-waku-2021-07"]);
        var old = verdicts.Single(v => v.ClientId == "js-waku-2021-07");
        Assert.False(old.Compatible);
        Assert.True(old.Expected);
        Assert.Equal(["/vac/waku/relay/2.0.0-beta2"], old.Missing);
        Assert.True(verdicts.Single(v => v.ClientId == "relay-2.0.0").Compatible);
        Assert.True(verdicts.Single(v => v.ClientId == KnownClients.StoreForensicsReseed).Compatible);
    }

    [Theory]
    [InlineData("/vac/waku/store-query/3.0.0", true)]
    [InlineData("/vac/waku/store/2.0.0-beta4", true)]
    [InlineData("/vac/waku/store/2.0.0-beta3", false)]
    public void Judge_Reseed_AcceptsStoreV3OrBeta4Only(string protocol, bool compatible) =>
        Assert.Equal(compatible, NodeProbe.Judge([protocol], []).Single(v => v.ClientId == KnownClients.StoreForensicsReseed).Compatible);

    [Fact]
    public void AdvertisedProtocol_SplitsVersion() =>
        Assert.Equal(new AdvertisedProtocol("/vac/waku/store/2.0.0-beta4", "/vac/waku/store", "2.0.0-beta4"), AdvertisedProtocol.Parse("/vac/waku/store/2.0.0-beta4"));

    [Fact]
    public async Task Probe_NodeWithStoreV3_SatisfiedWithPingAndAgent()
    {
        await using var node = new Libp2pHost(new Libp2pHostOptions(Identity.CreateSecp256k1())
        {
            AgentVersion = "nwaku-v0.36.0",
            WakuMetadata = new Waku.StoreForensics.Net.Metadata.WakuMetadataOptions(16, [32, 64]),
        });
        node.SetHandler("/vac/waku/store-query/3.0.0", (s, _, _) => Task.CompletedTask);
        var address = await node.ListenAsync(new IPEndPoint(IPAddress.Loopback, 0), Ct);

        var report = await NodeProbe.ProbeAsync(address, new Libp2pHostOptions(Identity.CreateEd25519()), [KnownClients.StoreForensicsReseed], Ct);
        Assert.True(report.Connected);
        Assert.True(report.Satisfied);
        Assert.Equal("nwaku-v0.36.0", report.AgentVersion);
        Assert.Equal(node.PeerId.ToString(), report.PeerId);
        Assert.NotNull(report.PingMilliseconds);
        Assert.Contains(report.Protocols, p => p.Name == "/vac/waku/store-query" && p.Version == "3.0.0");
        Assert.Equal(16u, report.ClusterId);
        Assert.Equal([32u, 64u], report.Shards);
        Assert.Contains("cluster   16, shards 32,64", Waku.StoreForensics.Cli.Commands.ProbeCommand.Render(report), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cli_Probe_ExitCodesForMissingProtocolRefusedAndBadAddress()
    {
        await using var node = new Libp2pHost(new Libp2pHostOptions(Identity.CreateSecp256k1()));
        var address = await node.ListenAsync(new IPEndPoint(IPAddress.Loopback, 0), Ct);
        Assert.Equal(ExitCodes.DamageFound, await CliApp.RunAsync(["probe", address.ToString(), "--json"]));

        node.SetHandler("/vac/waku/store/2.0.0-beta4", (s, _, _) => Task.CompletedTask);
        Assert.Equal(ExitCodes.Healthy, await CliApp.RunAsync(["probe", address.ToString()]));

        var closed = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        int port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        Assert.Equal(ExitCodes.CouldNotRun, await CliApp.RunAsync(["probe", $"/ip4/127.0.0.1/tcp/{port}", "--timeout", "2"]));
        Assert.Equal(ExitCodes.CouldNotRun, await CliApp.RunAsync(["probe", "/ip4/127.0.0.1/udp/1"]));
        Assert.Equal(ExitCodes.CouldNotRun, await CliApp.RunAsync(["probe", address.ToString(), "--expect", "no-such-client"]));
    }
}
