using Microsoft.Extensions.Logging;

namespace Waku.StoreForensics.Net;

/// <summary>Log events of the libp2p layer; event IDs 5000–5099 (one table, here).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 5000, Level = LogLevel.Information, Message = "Connected to {Peer} at {Address} ({Direction}, {Muxer}, early muxer negotiation: {Early})")]
    public static partial void ConnectionEstablished(ILogger logger, string peer, string address, string direction, string muxer, bool early);

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Inbound handshake from {Address} failed")]
    public static partial void InboundHandshakeFailed(ILogger logger, string address, Exception exception);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Debug, Message = "Inbound stream on {Peer}: negotiation failed")]
    public static partial void InboundNegotiationFailed(ILogger logger, string peer, Exception exception);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Warning, Message = "Handler for {Protocol} from {Peer} failed; stream reset")]
    public static partial void HandlerFailed(ILogger logger, string protocol, string peer, Exception exception);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Information, Message = "Connection to {Peer} closed: {Reason}")]
    public static partial void ConnectionClosed(ILogger logger, string peer, string reason);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Warning, Message = "Inbound connection from {Address} refused: {Count} connections open")]
    public static partial void InboundRefused(ILogger logger, string address, int count);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Debug, Message = "Inbound stream on {Peer} negotiated {Protocol}")]
    public static partial void InboundStream(ILogger logger, string peer, string protocol);
}
