using System.Text.Json.Serialization;
using Waku.StoreForensics.Net;
using Waku.StoreForensics.Schema;

namespace Waku.StoreForensics.PeerExchange;

/// <summary>Which <c>storedInfo</c> protobuf a Peer table holds (shared/reference/nwaku-store-format.md §3.2).</summary>
public enum PeerStorageEra
{
    /// <summary>v0.3–v0.22: <c>StoredInfo</c> (fields 1–4); connectedness and disconnectTime in their columns.</summary>
    StoredInfo,

    /// <summary>v0.23+: <c>RemotePeerInfo</c> (fields 1–7); only <c>(peerId, storedInfo)</c> written.</summary>
    RemotePeerInfo,
}

/// <summary>nwaku's connectedness values (unchanged v0.3–v0.37).</summary>
public enum Connectedness
{
    /// <summary>0: never connected (peers learnt from discovery).</summary>
    NotConnected = 0,

    /// <summary>1: the last dial failed.</summary>
    CannotConnect = 1,

    /// <summary>2: was connected, disconnected since.</summary>
    CanConnect = 2,

    /// <summary>3: connected.</summary>
    Connected = 3,
}

/// <summary>Where a reseeded peer came from.</summary>
public enum PeerRowSource
{
    /// <summary>The node we dialled (identify).</summary>
    Dialed,

    /// <summary>An ENR the node gave over peer exchange.</summary>
    PeerExchange,
}

/// <summary>One Peer row built by a reseed.</summary>
/// <param name="Source">Where the peer came from.</param>
/// <param name="PeerId">Base58 peer ID.</param>
/// <param name="Addresses">Stored multiaddrs (without <c>/p2p</c>, as nwaku stores them).</param>
/// <param name="Protocols">Stored protocol IDs (identify's list for the dialled peer; none for ENR peers).</param>
/// <param name="PublicKeyHex">The stored libp2p PublicKey protobuf, hex.</param>
/// <param name="Connectedness">Connectedness written.</param>
/// <param name="DisconnectTime">Disconnect time written, Unix seconds (0 when not applicable).</param>
/// <param name="Enr">The peer's ENR text form, when learnt from peer exchange.</param>
/// <param name="Waku2">The ENR's capability bits, when present.</param>
/// <param name="StoredInfoHex">The <c>storedInfo</c> value, hex.</param>
/// <remarks><see cref="From"/>: the node dialled, or the node whose peer exchange gave the ENR.</remarks>
public sealed record ReseededPeer(
    PeerRowSource Source,
    string PeerId,
    IReadOnlyList<string> Addresses,
    IReadOnlyList<string> Protocols,
    string PublicKeyHex,
    Connectedness Connectedness,
    long DisconnectTime,
    string? Enr,
    WakuCapabilities? Waku2,
    string StoredInfoHex)
{
    /// <summary>The address of the node this row came from (dialled, or whose peer exchange sent the ENR).</summary>
    public string From { get; init; } = "";

    /// <summary>Column values in declaration order, as written.</summary>
    [JsonIgnore]
    internal object?[] Row { get; init; } = [];
}

/// <summary>What one node that was asked answered.</summary>
public sealed record AskedNode
{
    /// <summary>The address dialled.</summary>
    public required string Address { get; init; }

    /// <summary>The node's peer ID, proven by the Noise handshake; null when the dial failed before it.</summary>
    public string? PeerId { get; init; }

    /// <summary>True when the node was dialled and identified (its own row is built).</summary>
    public bool Reached { get; init; }

    /// <summary>Why dialling or identify failed, when it did.</summary>
    public Libp2pErrorReason? DialError { get; init; }

    /// <summary>The dial or identify failure in words.</summary>
    public string? DialErrorMessage { get; init; }

    /// <summary>ENRs in the node's peer exchange answer, valid or not.</summary>
    public int EnrsReceived { get; init; }

    /// <summary>ENRs the node sent that failed verification; not used.</summary>
    public IReadOnlyList<RejectedEnr> RejectedEnrs { get; init; } = [];

    /// <summary>Why peer exchange failed, when it did (the node's own row is still built).</summary>
    public PeerExchangeErrorKind? PeerExchangeError { get; init; }

    /// <summary>The node's peer exchange status code, when it sent one other than 200.</summary>
    public uint? PeerExchangeStatusCode { get; init; }

    /// <summary>The peer exchange failure in words.</summary>
    public string? PeerExchangeErrorMessage { get; init; }

    /// <summary>True when the node was reached, peer exchange answered and every ENR verified.</summary>
    public bool Complete => Reached && PeerExchangeError is null && RejectedEnrs.Count == 0;
}

/// <summary>What a reseed did.</summary>
public sealed record PeerReseedReport
{
    /// <summary>Full path of the database.</summary>
    public required string Database { get; init; }

    /// <summary>The nodes asked, in order, with what each answered.</summary>
    public required IReadOnlyList<AskedNode> Nodes { get; init; }

    /// <summary>The Peer table layout written (or that would be).</summary>
    public required PeerSchemaId Layout { get; init; }

    /// <summary>The storedInfo era written.</summary>
    public required PeerStorageEra Era { get; init; }

    /// <summary>True when the database file did not exist and was created (a v0.13+ <c>peers.db</c>).</summary>
    public bool DatabaseCreated { get; init; }

    /// <summary>True when the Peer table did not exist and was created with the catalog's DDL.</summary>
    public bool TableCreated { get; init; }

    /// <summary>True when nothing was written.</summary>
    public bool DryRun { get; init; }

    /// <summary>Error findings of the pre-write scan (non-zero only with <see cref="PeerReseedOptions.Force"/>).</summary>
    public int DamageFindings { get; init; }

    /// <summary>Rows written (0 on a dry run).</summary>
    public int Written { get; init; }

    /// <summary>The rows: the dialled nodes first, then the peers their ENRs named.</summary>
    public required IReadOnlyList<ReseededPeer> Peers { get; init; }

    /// <summary>ENRs left out because their peer was already among the rows (a dialled node, or another record of it;
    /// of two records the higher sequence number is kept).</summary>
    public int DuplicateEnrs { get; init; }

    /// <summary>True when every node was reached, answered peer exchange, and sent only valid ENRs.</summary>
    public bool Complete => Nodes.All(n => n.Complete);
}

/// <summary>Options of <see cref="PeerReseeder.ReseedAsync"/>.</summary>
public sealed record PeerReseedOptions
{
    /// <summary>Peers asked for over peer exchange (nwaku caches at most 60).</summary>
    public int PeerCount { get; init; } = 60;

    /// <summary>Build and print the rows without writing.</summary>
    public bool DryRun { get; init; }

    /// <summary>Write although the scan found damage, the file has a non-empty <c>-wal</c>, or peers belong in
    /// <c>peers.db</c>. Never overrides a hot <c>-journal</c> or a lock.</summary>
    public bool Force { get; init; }

    /// <summary>The storedInfo era to write; null to follow the table (see <see cref="PeerReseeder"/>).</summary>
    public PeerStorageEra? Era { get; init; }

    /// <summary>Limits of the peer exchange request.</summary>
    public PeerExchangeClientOptions PeerExchange { get; init; } = new();

    /// <summary>Options of the libp2p host that dials; null for a fresh secp256k1 identity and default limits.</summary>
    public Libp2pHostOptions? Host { get; init; }

    /// <summary>The clock for the dialled peer's disconnect time; null for now.</summary>
    public DateTimeOffset? Now { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for options that cannot work.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(PeerCount, 1, nameof(PeerCount));
        ArgumentNullException.ThrowIfNull(PeerExchange, nameof(PeerExchange));
        PeerExchange.Validate();
    }
}
