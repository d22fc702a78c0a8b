using Waku.StoreForensics.Net.Multiformats;

namespace Waku.StoreForensics.Net.Identify;

/// <summary>What a peer said about itself over <c>/ipfs/id/1.0.0</c>.</summary>
/// <param name="ProtocolVersion">e.g. <c>ipfs/0.1.0</c>.</param>
/// <param name="AgentVersion">e.g. <c>nwaku-v0.36.0</c> or <c>js-libp2p/2.10.0</c>.</param>
/// <param name="PeerId">The peer ID of the public key sent, when one was sent.</param>
/// <param name="Protocols">The protocols the peer handles, in the order it listed them.</param>
/// <param name="ListenAddresses">Listen addresses in text form; ones using unsupported protocols are shown as hex.</param>
/// <param name="ObservedAddress">How the peer sees us, when it said.</param>
public sealed record IdentifyInfo(
    string ProtocolVersion,
    string AgentVersion,
    PeerId? PeerId,
    IReadOnlyList<string> Protocols,
    IReadOnlyList<string> ListenAddresses,
    string? ObservedAddress)
{
    /// <summary>The PublicKey protobuf the peer sent (the key <see cref="PeerId"/> derives from), when it sent one.</summary>
    public byte[]? PublicKeyProtobuf { get; init; }

    /// <summary>The listen addresses in binary form, undecodable ones included, as the peer sent them.</summary>
    public IReadOnlyList<byte[]> ListenAddressBytes { get; init; } = [];
}
