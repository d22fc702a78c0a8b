namespace Waku.StoreForensics.Net.Muxing;

/// <summary>Protocol IDs of the stream multiplexers, for <see cref="Libp2pHostOptions.Muxers"/>.</summary>
public static class MuxerProtocols
{
    /// <summary>yamux (libp2p yamux/README.md); nwaku v0.26+ prefers it.</summary>
    public const string Yamux = "/yamux/1.0.0";

    /// <summary>mplex (libp2p mplex/README.md); the only muxer of nwaku before v0.26.</summary>
    public const string Mplex = "/mplex/6.7.0";
}
