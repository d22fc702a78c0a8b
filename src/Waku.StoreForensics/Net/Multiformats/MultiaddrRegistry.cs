namespace Waku.StoreForensics.Net.Multiformats;

/// <summary>
/// Names of the protocol codes the multicodec table registers with the multiaddr tag. <see cref="Multiaddress"/>
/// decodes only a subset; this table tells "a real protocol we do not decode" (e.g. <c>/udp</c>, <c>/p2p-circuit</c>)
/// from "a code no multiaddr uses" (garbled bytes).
/// </summary>
internal static class MultiaddrRegistry
{
    // multiformats/multicodec table.csv, rows tagged "multiaddr".
    private static readonly Dictionary<long, string> Names = new()
    {
        [4] = "ip4", [6] = "tcp", [33] = "dccp", [41] = "ip6", [42] = "ip6zone", [43] = "ipcidr",
        [53] = "dns", [54] = "dns4", [55] = "dns6", [56] = "dnsaddr", [132] = "sctp", [273] = "udp",
        [275] = "p2p-webrtc-star", [276] = "p2p-webrtc-direct", [277] = "p2p-stardust", [280] = "webrtc-direct",
        [281] = "webrtc", [290] = "p2p-circuit", [301] = "udt", [302] = "utp", [400] = "unix", [406] = "thread",
        [421] = "p2p", [443] = "https", [444] = "onion", [445] = "onion3", [446] = "garlic64", [447] = "garlic32",
        [448] = "tls", [449] = "sni", [454] = "noise", [456] = "shs", [460] = "quic", [461] = "quic-v1",
        [465] = "webtransport", [466] = "certhash", [477] = "ws", [478] = "wss", [479] = "p2p-websocket-star",
        [480] = "http", [481] = "http-path", [777] = "memory",
    };

    /// <summary>The registered name of multiaddr protocol <paramref name="code"/>, or null when no multiaddr protocol has it.</summary>
    public static string? NameOf(long code) => Names.GetValueOrDefault(code);
}
