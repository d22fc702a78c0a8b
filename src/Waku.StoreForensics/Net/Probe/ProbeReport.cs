namespace Waku.StoreForensics.Net.Probe;

/// <summary>A protocol a node advertises, split into name and version (the last path segment).</summary>
/// <param name="Id">The full protocol ID.</param>
/// <param name="Name">Everything before the last <c>/</c>.</param>
/// <param name="Version">The last path segment, e.g. <c>2.0.0-beta4</c>.</param>
public sealed record AdvertisedProtocol(string Id, string Name, string Version)
{
    /// <summary>Splits a protocol ID.</summary>
    public static AdvertisedProtocol Parse(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        int slash = id.LastIndexOf('/');
        return slash > 0 ? new(id, id[..slash], id[(slash + 1)..]) : new(id, id, "");
    }
}

/// <summary>Whether a node serves one known client.</summary>
/// <param name="ClientId">The client row's ID.</param>
/// <param name="Client">The client in words.</param>
/// <param name="Compatible">True when every requirement group is met.</param>
/// <param name="Missing">Requirement groups not met, each written as <c>a | b</c>.</param>
/// <param name="Expected">True when the caller asked for this client (it decides the exit code).</param>
/// <param name="Note">The row's note.</param>
public sealed record CompatibilityVerdict(string ClientId, string Client, bool Compatible, IReadOnlyList<string> Missing, bool Expected, string Note);

/// <summary>The result of probing one node.</summary>
public sealed record ProbeReport
{
    /// <summary>The address dialled.</summary>
    public required string Address { get; init; }

    /// <summary>True when the dial, handshake and identify succeeded.</summary>
    public bool Connected { get; init; }

    /// <summary>Why the probe failed, when it did.</summary>
    public Libp2pErrorReason? FailureReason { get; init; }

    /// <summary>The failure in words.</summary>
    public string? FailureMessage { get; init; }

    /// <summary>The peer ID the node proved.</summary>
    public string? PeerId { get; init; }

    /// <summary>The muxer negotiated.</summary>
    public string? Muxer { get; init; }

    /// <summary>True when the muxer was chosen inside the Noise handshake.</summary>
    public bool? MuxerNegotiatedEarly { get; init; }

    /// <summary>The agent string from identify.</summary>
    public string? AgentVersion { get; init; }

    /// <summary>The protocol version from identify.</summary>
    public string? ProtocolVersion { get; init; }

    /// <summary>Advertised protocols, sorted.</summary>
    public IReadOnlyList<AdvertisedProtocol> Protocols { get; init; } = [];

    /// <summary>Listen addresses the node announced.</summary>
    public IReadOnlyList<string> ListenAddresses { get; init; } = [];

    /// <summary>Ping round trip in milliseconds, when ping succeeded.</summary>
    public double? PingMilliseconds { get; init; }

    /// <summary>Why ping failed, when it did (a node may not mount ping).</summary>
    public string? PingError { get; init; }

    /// <summary>The node's cluster ID from <c>/vac/waku/metadata/1.0.0</c>, when it serves that protocol.</summary>
    public uint? ClusterId { get; init; }

    /// <summary>The node's shards from the metadata protocol.</summary>
    public IReadOnlyList<uint>? Shards { get; init; }

    /// <summary>Why the metadata request failed, when it did.</summary>
    public string? MetadataError { get; init; }

    /// <summary>When the node advertises store v3: true when a hash-only query of one message was answered with
    /// status 200, false when it failed; null when not advertised.</summary>
    public bool? StoreV3Answered { get; init; }

    /// <summary>Entries on that first page (0 or 1): 0 means an empty store or filters nothing matched.</summary>
    public int? StoreV3FirstPageCount { get; init; }

    /// <summary>Why the store v3 query failed (kind, status code and message), when it did.</summary>
    public string? StoreV3Error { get; init; }

    /// <summary>When the node advertises the legacy store (<c>/vac/waku/store/2.0.0-beta4</c>, nwaku v0.8–v0.36): true
    /// when a query of one message on <see cref="StoreLegacyPubsubTopic"/> was answered without error, false when it
    /// failed; null when not advertised.</summary>
    public bool? StoreLegacyAnswered { get; init; }

    /// <summary>The pubsub topic the legacy query asked for (it needs one): shard 0 of the node's cluster when
    /// metadata told it, else the pre-sharding default topic.</summary>
    public string? StoreLegacyPubsubTopic { get; init; }

    /// <summary>Messages on that first legacy page (0 or 1).</summary>
    public int? StoreLegacyFirstPageCount { get; init; }

    /// <summary>Why the legacy store query failed, when it did.</summary>
    public string? StoreLegacyError { get; init; }

    /// <summary>When the node advertises <c>/vac/waku/store/2.0.0-beta3</c> (nwaku v0.3–v0.7): true when a query of one
    /// message on <see cref="StoreBeta3PubsubTopic"/>, its encoding detected from the answer, was answered without error,
    /// false when it failed; null when not advertised.</summary>
    public bool? StoreBeta3Answered { get; init; }

    /// <summary>The pubsub topic the beta3 query asked for: the 2021 default topic <c>/waku/2/default-waku/proto</c>.</summary>
    public string? StoreBeta3PubsubTopic { get; init; }

    /// <summary>Messages on that first beta3 page (0 or 1).</summary>
    public int? StoreBeta3FirstPageCount { get; init; }

    /// <summary>The field numbers the node answered in, <c>v0.3-v0.4</c> or <c>v0.5-v0.7</c>; null when its answer
    /// read the same both ways or the query failed.</summary>
    public string? StoreBeta3Encoding { get; init; }

    /// <summary>How <see cref="StoreBeta3Encoding"/> was settled: <c>Detected</c>, or <c>Undetermined</c> when the answer
    /// told the encodings apart in nothing.</summary>
    public Store.Beta3EncodingSource? StoreBeta3EncodingSource { get; init; }

    /// <summary>One sentence for the report: which clients of 2021 can read this node's beta3 answers, and why.</summary>
    public string? StoreBeta3Verdict { get; init; }

    /// <summary>Why the beta3 query failed, when it did.</summary>
    public string? StoreBeta3Error { get; init; }

    /// <summary>One verdict per known client.</summary>
    public IReadOnlyList<CompatibilityVerdict> Verdicts { get; init; } = [];

    /// <summary>True when connected and every expected client is served.</summary>
    public bool Satisfied => Connected && Verdicts.Where(v => v.Expected).All(v => v.Compatible);
}
