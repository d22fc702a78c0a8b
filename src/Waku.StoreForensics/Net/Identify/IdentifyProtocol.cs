using Google.Protobuf;
using Waku.StoreForensics.Net.Multiformats;
using Waku.StoreForensics.Net.Muxing;

namespace Waku.StoreForensics.Net.Identify;

/// <summary>libp2p identify/README.md: the answerer writes one length-prefixed Identify message and closes.</summary>
internal static class IdentifyProtocol
{
    public const string ProtocolId = "/ipfs/id/1.0.0";

    /// <summary>Identify messages are small; go caps at 4 KiB per field set, js at 8 KiB. Allow signed records too.</summary>
    public const int MaxMessageLength = 64 * 1024;

    public static async Task AnswerAsync(Libp2pStream stream, Libp2pConnection connection, Libp2pHost host, CancellationToken cancellationToken)
    {
        var message = new Protos.Identify
        {
            ProtocolVersion = host.Options.ProtocolVersion,
            AgentVersion = host.Options.AgentVersion,
            PublicKey = ByteString.CopyFrom(host.Options.Identity.PublicKeyProtobuf),
            ObservedAddr = ByteString.CopyFrom(connection.RemoteAddress.ToBytes()),
        };
        message.Protocols.AddRange(host.Protocols);
        foreach (var address in host.ListenAddresses)
        {
            message.ListenAddrs.Add(ByteString.CopyFrom(address.ToBytes()));
        }

        await LengthPrefixed.WriteAsync(stream, message.ToByteArray(), cancellationToken).ConfigureAwait(false);
        await stream.CloseWriteAsync(cancellationToken).ConfigureAwait(false);
    }

    public static async Task<IdentifyInfo> AskAsync(Libp2pStream stream, CancellationToken cancellationToken)
    {
        var bytes = await LengthPrefixed.ReadAsync(stream, MaxMessageLength, cancellationToken).ConfigureAwait(false)
            ?? throw new Libp2pException(Libp2pErrorReason.MalformedMessage, "The peer closed the identify stream without an answer.");
        Protos.Identify message;
        try
        {
            message = Protos.Identify.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new Libp2pException(Libp2pErrorReason.MalformedMessage, "Malformed identify message.", e);
        }

        PeerId? peer = null;
        if (message.HasPublicKey)
        {
            var key = Crypto.PublicKeyVerifier.ParsePublicKey(message.PublicKey.Span);
            peer = PeerId.FromPublicKey(key.ToByteArray());
        }

        return new IdentifyInfo(
            message.ProtocolVersion,
            message.AgentVersion,
            peer,
            message.Protocols.ToArray(),
            message.ListenAddrs.Select(a => Describe(a.Span)).ToArray(),
            message.HasObservedAddr ? Describe(message.ObservedAddr.Span) : null)
        {
            PublicKeyProtobuf = message.HasPublicKey ? message.PublicKey.ToByteArray() : null,
            ListenAddressBytes = message.ListenAddrs.Select(a => a.ToByteArray()).ToArray(),
        };
    }

    private static string Describe(ReadOnlySpan<byte> address)
    {
        try
        {
            return Multiaddress.FromBytes(address).ToString();
        }
        catch (Exception e) when (e is FormatException or Libp2pException)
        {
            return "0x" + Convert.ToHexStringLower(address);
        }
    }
}
