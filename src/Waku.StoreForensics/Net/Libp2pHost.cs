using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Waku.StoreForensics.Net.Identify;
using Waku.StoreForensics.Net.Metadata;
using Waku.StoreForensics.Net.Multiformats;
using Waku.StoreForensics.Net.Multistream;
using Waku.StoreForensics.Net.Muxing;
using Waku.StoreForensics.Net.Muxing.Mplex;
using Waku.StoreForensics.Net.Muxing.Yamux;
using Waku.StoreForensics.Net.Noise;
using Waku.StoreForensics.Net.Ping;
using Waku.StoreForensics.Net.Transport;

namespace Waku.StoreForensics.Net;

/// <summary>Handles one inbound stream whose protocol was negotiated.</summary>
/// <param name="stream">The stream; dispose or close it when done.</param>
/// <param name="connection">The connection it arrived on.</param>
/// <param name="cancellationToken">Cancelled when the host shuts down.</param>
public delegate Task StreamHandler(Libp2pStream stream, Libp2pConnection connection, CancellationToken cancellationToken);

/// <summary>
/// A libp2p node over TCP: dials and accepts connections (multistream-select → Noise → yamux/mplex), answers
/// identify, ping and Waku metadata, and routes inbound streams to registered protocol handlers.
/// </summary>
public sealed class Libp2pHost : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, StreamHandler> _handlers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Libp2pConnection, byte> _connections = new();
    private readonly List<TcpListener> _listeners = [];
    private readonly List<Multiaddress> _listenAddresses = [];
    private readonly CancellationTokenSource _stopping = new();
    private int _pendingInbound;

    /// <summary>Creates a host; nothing listens until <see cref="ListenAsync"/>.</summary>
    public Libp2pHost(Libp2pHostOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        Logger = options.LoggerFactory?.CreateLogger<Libp2pHost>() ?? NullLogger<Libp2pHost>.Instance;
        SetHandler(IdentifyProtocol.ProtocolId, WithTimeout((s, c, ct) => IdentifyProtocol.AnswerAsync(s, c, this, ct)));
        SetHandler(PingProtocol.ProtocolId, (s, _, ct) => PingProtocol.AnswerAsync(s, options.HandlerTimeout, ct));
        if (options.WakuMetadata is { } metadata)
        {
            SetHandler(WakuMetadataProtocol.ProtocolId, WithTimeout((s, _, ct) => WakuMetadataProtocol.AnswerAsync(s, metadata, ct)));
        }
    }

    /// <summary>The host's options.</summary>
    public Libp2pHostOptions Options { get; }

    internal ILogger Logger { get; }

    /// <summary>Our peer ID.</summary>
    public PeerId PeerId => Options.Identity.PeerId;

    /// <summary>Protocols with a handler, as announced over identify.</summary>
    public IReadOnlyList<string> Protocols => _handlers.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>Addresses we listen on (with <c>/p2p/</c>).</summary>
    public IReadOnlyList<Multiaddress> ListenAddresses
    {
        get
        {
            lock (_listenAddresses)
            {
                return _listenAddresses.ToArray();
            }
        }
    }

    /// <summary>Open connections.</summary>
    public IReadOnlyCollection<Libp2pConnection> Connections => _connections.Keys.ToArray();

    /// <summary>Raised when a connection (either direction) is established; exceptions thrown by subscribers are
    /// ignored so they cannot tear down the connection.</summary>
    public event Action<Libp2pConnection>? ConnectionEstablished;

    /// <summary>Registers (or replaces) the handler of inbound streams for <paramref name="protocol"/>.</summary>
    public void SetHandler(string protocol, StreamHandler handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(protocol);
        ArgumentNullException.ThrowIfNull(handler);
        _handlers[protocol] = handler;
    }

    /// <summary>Dials <paramref name="address"/>; when it ends in <c>/p2p/…</c> the remote must prove that peer ID.</summary>
    public async Task<Libp2pConnection> DialAsync(Multiaddress address, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        var socket = await TcpTransport.ConnectAsync(address, Options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
        return await UpgradeAsync(socket, isInitiator: true, address.PeerId, address, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Starts accepting connections on <paramref name="endPoint"/> (port 0 picks one); returns the address.</summary>
    public Task<Multiaddress> ListenAsync(IPEndPoint endPoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        var listener = new TcpListener(endPoint);
        listener.Start();
        var address = Multiaddress.FromEndPoint((IPEndPoint)listener.LocalEndpoint).WithPeerId(PeerId);
        lock (_listenAddresses)
        {
            _listeners.Add(listener);
            _listenAddresses.Add(address);
        }

        _ = AcceptLoopAsync(listener);
        return Task.FromResult(address);
    }

    /// <summary>Stops listening and closes every connection.</summary>
    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        lock (_listenAddresses)
        {
            foreach (var l in _listeners)
            {
                l.Stop();
            }
        }

        foreach (var c in _connections.Keys)
        {
            await c.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Bounds a built-in handler so a peer that never reads or writes cannot hold a stream forever.</summary>
    private StreamHandler WithTimeout(StreamHandler handler) => async (stream, connection, cancellationToken) =>
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Options.HandlerTimeout);
        await handler(stream, connection, timeout.Token).ConfigureAwait(false);
    };

    private void RaiseConnectionEstablished(Libp2pConnection connection)
    {
        foreach (var subscriber in ConnectionEstablished?.GetInvocationList() ?? [])
        {
            try
            {
                ((Action<Libp2pConnection>)subscriber)(connection);
            }
            catch (Exception)
            {
                // A subscriber's bug must not cost the peer its connection.
            }
        }
    }

    internal bool HasHandler(string protocol) => _handlers.ContainsKey(protocol);

    internal void Forget(Libp2pConnection connection) => _connections.TryRemove(connection, out _);

    internal async Task RunHandlerAsync(string protocol, Libp2pStream stream, Libp2pConnection connection)
    {
        if (!_handlers.TryGetValue(protocol, out var handler))
        {
            stream.Reset();
            return;
        }

        try
        {
            await handler(stream, connection, _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // A handler's failure concerns one stream: reset it and keep the connection.
            Log.HandlerFailed(Logger, protocol, connection.RemotePeer.ToString(), e);
            stream.Reset();
        }
    }

    private async Task AcceptLoopAsync(TcpListener listener)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptSocketAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            if (_connections.Count + Volatile.Read(ref _pendingInbound) >= Options.MaxConnections)
            {
                // Over the limit: refuse by closing at once rather than queueing unbounded handshakes.
                Log.InboundRefused(Logger, socket.RemoteEndPoint?.ToString() ?? "?", _connections.Count);
                socket.Dispose();
                continue;
            }

            Interlocked.Increment(ref _pendingInbound);
            _ = Task.Run(async () =>
            {
                try
                {
                    socket.NoDelay = true;
                    var remote = Multiaddress.FromEndPoint((IPEndPoint)socket.RemoteEndPoint!);
                    await UpgradeAsync(socket, isInitiator: false, null, remote, _stopping.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is Libp2pException or IOException or SocketException or OperationCanceledException or ObjectDisposedException)
                {
                    // A failed inbound handshake only costs that connection.
                    Log.InboundHandshakeFailed(Logger, socket.RemoteEndPoint?.ToString() ?? "?", e);
                    socket.Dispose();
                }
                finally
                {
                    Interlocked.Decrement(ref _pendingInbound);
                }
            });
        }
    }

    private async Task<Libp2pConnection> UpgradeAsync(Socket socket, bool isInitiator, PeerId? expected, Multiaddress remoteAddress, CancellationToken cancellationToken)
    {
        var transport = new NetworkStream(socket, ownsSocket: true);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Options.HandshakeTimeout);
        var ct = timeout.Token;
        try
        {
            var offered = Options.EarlyMuxerNegotiation ? Options.Muxers : [];
            NoiseResult noise;
            if (isInitiator)
            {
                await MultistreamSelect.SelectAsync(transport, [NoiseHandshake.ProtocolId], ct).ConfigureAwait(false);
                noise = await NoiseHandshake.InitiateAsync(transport, Options.Identity, expected, offered, ct).ConfigureAwait(false);
            }
            else
            {
                await MultistreamSelect.ListenAsync(transport, p => p == NoiseHandshake.ProtocolId, () => [NoiseHandshake.ProtocolId], ct).ConfigureAwait(false);
                noise = await NoiseHandshake.RespondAsync(transport, Options.Identity, offered, ct).ConfigureAwait(false);
            }

            string muxer;
            bool early = offered.Count > 0 && noise.RemoteMuxers.Count > 0;
            if (early)
            {
                // inlined-muxer-negotiation.md: the first muxer of the initiator's list the responder supports.
                var initiatorList = isInitiator ? offered : noise.RemoteMuxers;
                var responderList = isInitiator ? noise.RemoteMuxers : offered;
                muxer = initiatorList.FirstOrDefault(m => responderList.Contains(m, StringComparer.Ordinal))
                    ?? throw new Libp2pException(Libp2pErrorReason.NoCommonMuxer,
                        $"No common muxer in the Noise handshake: ours {string.Join(", ", offered)}, theirs {string.Join(", ", noise.RemoteMuxers)}.");
            }
            else if (isInitiator)
            {
                try
                {
                    muxer = await MultistreamSelect.SelectAsync(noise.Stream, Options.Muxers, ct).ConfigureAwait(false);
                }
                catch (Libp2pException e) when (e.Reason == Libp2pErrorReason.ProtocolNotSupported)
                {
                    throw new Libp2pException(Libp2pErrorReason.NoCommonMuxer, $"The remote accepts none of the muxers {string.Join(", ", Options.Muxers)}.", e);
                }
            }
            else
            {
                try
                {
                    muxer = await MultistreamSelect.ListenAsync(noise.Stream, p => Options.Muxers.Contains(p, StringComparer.Ordinal), () => Options.Muxers, ct).ConfigureAwait(false);
                }
                catch (Libp2pException e) when (e.Reason == Libp2pErrorReason.ProtocolNotSupported)
                {
                    throw new Libp2pException(Libp2pErrorReason.NoCommonMuxer, "The remote proposed no muxer we support.", e);
                }
            }

            var connection = new Libp2pConnection(this, noise.RemotePeer, remoteAddress, isInitiator) { MuxerNegotiatedEarly = early };
            var muxerOptions = new MuxerOptions(Options.MaxStreamsPerConnection, Options.YamuxWindowSize, 1024 * 1024, Options.MplexMaxBufferedBytes);
            MuxerSession session = muxer == YamuxSession.ProtocolId
                ? new YamuxSession(noise.Stream, isInitiator, muxerOptions, connection.HandleInboundAsync)
                : new MplexSession(noise.Stream, isInitiator, muxerOptions, connection.HandleInboundAsync);
            connection.Attach(session);
            _connections[connection] = 0;
            Log.ConnectionEstablished(Logger, noise.RemotePeer.ToString(), remoteAddress.ToString(), isInitiator ? "outbound" : "inbound", muxer, early);
            session.Start();
            _ = session.Completion.ContinueWith(
                _ =>
                {
                    Forget(connection);
                    Log.ConnectionClosed(Logger, connection.RemotePeer.ToString(), session.CloseReason?.Message ?? "closed");
                },
                TaskScheduler.Default);
            RaiseConnectionEstablished(connection);
            return connection;
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            transport.Dispose();
            throw new Libp2pException(Libp2pErrorReason.Timeout, $"The handshake did not finish within {Options.HandshakeTimeout.TotalSeconds:0.#} s.", e);
        }
        catch (Exception e) when (e is IOException or EndOfStreamException)
        {
            transport.Dispose();
            throw new Libp2pException(Libp2pErrorReason.ConnectionClosed, "The connection closed during the handshake.", e);
        }
        catch
        {
            transport.Dispose();
            throw;
        }
    }
}
