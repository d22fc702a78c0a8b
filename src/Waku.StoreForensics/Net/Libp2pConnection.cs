using Waku.StoreForensics.Net.Identify;
using Waku.StoreForensics.Net.Multiformats;
using Waku.StoreForensics.Net.Multistream;
using Waku.StoreForensics.Net.Muxing;
using Waku.StoreForensics.Net.Ping;

namespace Waku.StoreForensics.Net;

/// <summary>A secured, multiplexed connection to one peer.</summary>
public sealed class Libp2pConnection : IAsyncDisposable
{
    private readonly Libp2pHost _host;
    private MuxerSession _session = null!;

    internal Libp2pConnection(Libp2pHost host, PeerId remotePeer, Multiaddress remoteAddress, bool isInitiator)
    {
        _host = host;
        RemotePeer = remotePeer;
        RemoteAddress = remoteAddress;
        IsInitiator = isInitiator;
    }

    /// <summary>The peer at the other end, as proven in the Noise handshake.</summary>
    public PeerId RemotePeer { get; }

    /// <summary>The remote's transport address.</summary>
    public Multiaddress RemoteAddress { get; }

    /// <summary>True when we dialled.</summary>
    public bool IsInitiator { get; }

    /// <summary>The security protocol (always <c>/noise</c>).</summary>
    public string Security => Noise.NoiseHandshake.ProtocolId;

    /// <summary>The muxer in use, e.g. <c>/yamux/1.0.0</c>.</summary>
    public string Muxer => _session.Protocol;

    /// <summary>True when the muxer was chosen inside the Noise handshake rather than by multistream-select.</summary>
    public bool MuxerNegotiatedEarly { get; internal set; }

    /// <summary>Completes when the connection has closed.</summary>
    public Task Completion => _session.Completion;

    internal MuxerSession Session => _session;

    /// <summary>Opens a stream and negotiates the first of <paramref name="protocols"/> the remote accepts.</summary>
    public async Task<Libp2pStream> OpenStreamAsync(IReadOnlyList<string> protocols, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(protocols);
        var stream = await _session.OpenStreamAsync(cancellationToken).ConfigureAwait(false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_host.Options.StreamNegotiationTimeout);
        try
        {
            stream.Protocol = await MultistreamSelect.SelectAsync(stream, protocols, timeout.Token).ConfigureAwait(false);
            return stream;
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            stream.Reset();
            throw new Libp2pException(Libp2pErrorReason.Timeout, $"Negotiating {string.Join(", ", protocols)} timed out.", e);
        }
        catch
        {
            stream.Reset();
            throw;
        }
    }

    /// <summary>Opens a stream for one protocol.</summary>
    public Task<Libp2pStream> OpenStreamAsync(string protocol, CancellationToken cancellationToken = default) =>
        OpenStreamAsync([protocol], cancellationToken);

    /// <summary>Asks the peer who it is (<c>/ipfs/id/1.0.0</c>).</summary>
    public async Task<IdentifyInfo> IdentifyAsync(CancellationToken cancellationToken = default)
    {
        var stream = await OpenStreamAsync(IdentifyProtocol.ProtocolId, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_host.Options.HandlerTimeout);
            try
            {
                return await IdentifyProtocol.AskAsync(stream, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                stream.Reset();
                throw new Libp2pException(Libp2pErrorReason.Timeout, "The peer did not answer identify in time.", e);
            }
        }
    }

    /// <summary>Measures one round trip over <c>/ipfs/ping/1.0.0</c>.</summary>
    public async Task<TimeSpan> PingAsync(CancellationToken cancellationToken = default)
    {
        var stream = await OpenStreamAsync(PingProtocol.ProtocolId, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_host.Options.HandlerTimeout);
            try
            {
                return await PingProtocol.PingAsync(stream, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                stream.Reset();
                throw new Libp2pException(Libp2pErrorReason.Timeout, "The peer did not echo the ping in time.", e);
            }
        }
    }

    /// <summary>Asks a Waku node for its cluster ID and shards over <c>/vac/waku/metadata/1.0.0</c>, announcing ours.</summary>
    public async Task<Metadata.WakuMetadataOptions> GetWakuMetadataAsync(Metadata.WakuMetadataOptions ours, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ours);
        var stream = await OpenStreamAsync(Metadata.WakuMetadataProtocol.ProtocolId, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_host.Options.HandlerTimeout);
            try
            {
                return await Metadata.WakuMetadataProtocol.AskAsync(stream, ours, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                stream.Reset();
                throw new Libp2pException(Libp2pErrorReason.Timeout, "The peer did not answer the metadata request in time.", e);
            }
        }
    }

    /// <summary>Closes the connection (yamux go-away first) and every stream on it.</summary>
    public async ValueTask DisposeAsync()
    {
        await _session.DisposeAsync().ConfigureAwait(false);
        _host.Forget(this);
    }

    internal void Attach(MuxerSession session) => _session = session;

    internal async Task HandleInboundAsync(Libp2pStream stream)
    {
        using var timeout = new CancellationTokenSource(_host.Options.StreamNegotiationTimeout);
        string protocol;
        try
        {
            protocol = await MultistreamSelect.ListenAsync(stream, _host.HasHandler, () => _host.Protocols, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is Libp2pException or OperationCanceledException or IOException)
        {
            Log.InboundNegotiationFailed(_host.Logger, RemotePeer.ToString(), e);
            stream.Reset();
            return;
        }

        stream.Protocol = protocol;
        Log.InboundStream(_host.Logger, RemotePeer.ToString(), protocol);
        await _host.RunHandlerAsync(protocol, stream, this).ConfigureAwait(false);
    }
}
