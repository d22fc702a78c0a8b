using System.Text.Json;
using System.Text.Json.Serialization;

namespace Waku.StoreForensics.SampleGenerator;

/// <summary>One Message row as written, keyed like <c>Finding.Location.Key</c> so scan results join to it.</summary>
/// <param name="Key">Primary key text (<c>MessageRowValidator.FormatKey</c>).</param>
/// <param name="PubsubTopic">Pubsub topic.</param>
/// <param name="ContentTopic">Content topic.</param>
/// <param name="PayloadLength">Payload length in bytes.</param>
/// <param name="PayloadSha256">SHA-256 of the payload, hex.</param>
/// <param name="Version">WakuMessage version.</param>
/// <param name="Timestamp">WakuMessage timestamp, ns (0 when unset).</param>
/// <param name="ReceivedAt">Node receive time, ns.</param>
/// <param name="Meta">Meta bytes, hex, or null.</param>
public sealed record ManifestMessage(string Key, string PubsubTopic, string ContentTopic, int PayloadLength, string PayloadSha256,
    uint Version, long Timestamp, long ReceivedAt, string? Meta);

/// <summary>One Peer row as written.</summary>
/// <param name="PeerId">Peer ID bytes, hex.</param>
/// <param name="StoredInfoLength">Length of the storedInfo protobuf.</param>
/// <param name="Connectedness">connectedness column, null when not written (v0.23+).</param>
/// <param name="DisconnectTime">disconnectTime column, null when not written (v0.23+).</param>
public sealed record ManifestPeer(string PeerId, int StoredInfoLength, long? Connectedness, long? DisconnectTime);

/// <summary>The ground truth of one generated store: what was written, where, and how.</summary>
public sealed record GroundTruthManifest
{
    /// <summary>Generator seed.</summary>
    public required int Seed { get; init; }

    /// <summary>Message layout (catalog id).</summary>
    public required string Layout { get; init; }

    /// <summary>user_version of the message file.</summary>
    public required int UserVersion { get; init; }

    /// <summary>Message table name as in sqlite_schema.</summary>
    public required string MessageTable { get; init; }

    /// <summary>File holding the Message table, relative to the manifest.</summary>
    public required string MessageFile { get; init; }

    /// <summary>File holding the Peer table, relative to the manifest (the same file before v0.13), or null.</summary>
    public string? PeerFile { get; init; }

    /// <summary>Messages written.</summary>
    public required long MessageCount { get; init; }

    /// <summary>Sum of payload lengths.</summary>
    public required long PayloadBytes { get; init; }

    /// <summary>
    /// Messages whose record exceeds 1002 bytes and so spills onto overflow pages: WITHOUT ROWID tables use the
    /// index b-tree format, whose local limit on 4 KiB pages is 1002 bytes, not a rowid table's 4061.
    /// </summary>
    public required long OverflowingMessages { get; init; }

    /// <summary>SHA-256 over the sorted row keys, hex: a compact fingerprint when <see cref="Messages"/> is omitted.</summary>
    public required string KeysSha256 { get; init; }

    /// <summary>Every message, in insertion order; null when not listed (large benchmark files).</summary>
    public IReadOnlyList<ManifestMessage>? Messages { get; init; }

    /// <summary>Every peer.</summary>
    public required IReadOnlyList<ManifestPeer> Peers { get; init; }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Writes the manifest as indented camel-case JSON.</summary>
    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, JsonOptions));

    /// <summary>Reads a manifest written by <see cref="Save"/>.</summary>
    public static GroundTruthManifest Load(string path) =>
        JsonSerializer.Deserialize<GroundTruthManifest>(File.ReadAllText(path), JsonOptions)
        ?? throw new InvalidDataException($"{path} holds no manifest.");
}
