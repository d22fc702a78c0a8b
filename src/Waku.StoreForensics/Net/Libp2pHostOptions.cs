using Waku.StoreForensics.Net.Crypto;
using Waku.StoreForensics.Net.Metadata;
using Waku.StoreForensics.Net.Muxing.Mplex;
using Waku.StoreForensics.Net.Muxing.Yamux;

namespace Waku.StoreForensics.Net;

/// <summary>Identity, limits and timeouts of a <see cref="Libp2pHost"/>.</summary>
public sealed record Libp2pHostOptions
{
    /// <summary>Creates options for <paramref name="identity"/> with the defaults below.</summary>
    public Libp2pHostOptions(Identity identity)
    {
        Identity = identity ?? throw new ArgumentNullException(nameof(identity));
    }

    /// <summary>The host's key pair.</summary>
    public Identity Identity { get; init; }

    /// <summary>Agent string announced over identify.</summary>
    public string AgentVersion { get; init; } = "waku-storeforensics/0.1.0";

    /// <summary>Protocol version announced over identify (nwaku uses <c>ipfs/0.1.0</c>).</summary>
    public string ProtocolVersion { get; init; } = "ipfs/0.1.0";

    /// <summary>Time allowed for the TCP connect.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Time allowed for security and muxer negotiation after the TCP connect.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Time allowed for multistream-select on a new stream.</summary>
    public TimeSpan StreamNegotiationTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Time allowed for a built-in inbound handler (identify, metadata) to finish, for each ping round, and for
    /// our identify and ping requests to be answered.</summary>
    public TimeSpan HandlerTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Muxers in preference order (yamux first, mplex for nwaku before v0.26).</summary>
    public IReadOnlyList<string> Muxers { get; init; } = [YamuxSession.ProtocolId, MplexSession.ProtocolId];

    /// <summary>
    /// List muxers in the Noise handshake (<c>stream_muxers</c> extension, as js-libp2p and go-libp2p do). When the
    /// remote lists muxers too the muxer is chosen there; otherwise (nim-libp2p) by multistream-select afterwards.
    /// </summary>
    public bool EarlyMuxerNegotiation { get; init; } = true;

    /// <summary>Connections (inbound ones still in their handshake included) beyond which inbound sockets are closed.</summary>
    public int MaxConnections { get; init; } = 128;

    /// <summary>Open streams per connection.</summary>
    public int MaxStreamsPerConnection { get; init; } = 256;

    /// <summary>yamux receive window per stream (at least the spec's 256 KiB).</summary>
    public int YamuxWindowSize { get; init; } = 256 * 1024;

    /// <summary>Unread bytes an mplex stream may hold before it is reset (mplex has no flow control).</summary>
    public int MplexMaxBufferedBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>Cluster and shards answered on <c>/vac/waku/metadata/1.0.0</c>; null to not mount the protocol.</summary>
    public WakuMetadataOptions? WakuMetadata { get; init; } = new(1, [0, 1, 2, 3, 4, 5, 6, 7]);

    /// <summary>Where connection, handshake and handler events are logged; none when null.</summary>
    public Microsoft.Extensions.Logging.ILoggerFactory? LoggerFactory { get; init; }

    internal void Validate()
    {
        if (Muxers.Count == 0 || Muxers.Any(m => m is not (YamuxSession.ProtocolId or MplexSession.ProtocolId)))
        {
            throw new ArgumentException($"Muxers must be a non-empty subset of {YamuxSession.ProtocolId}, {MplexSession.ProtocolId}.");
        }

        if (YamuxWindowSize < 256 * 1024 || MaxStreamsPerConnection < 1 || MplexMaxBufferedBytes < 64 * 1024 || MaxConnections < 1)
        {
            throw new ArgumentException("Window, stream and buffer limits are below their minimums.");
        }

        foreach (var t in new[] { ConnectTimeout, HandshakeTimeout, StreamNegotiationTimeout, HandlerTimeout })
        {
            if (t <= TimeSpan.Zero)
            {
                throw new ArgumentException("Timeouts must be positive.");
            }
        }
    }
}
