using System.Security.Cryptography;
using System.Text;
using Waku.StoreForensics.Schema;
using Waku.StoreForensics.Validation;

namespace Waku.StoreForensics.SampleGenerator;

/// <summary>
/// Writes a healthy nwaku-shaped store into a directory: <c>store.sqlite3</c> (and <c>peers.db</c> for
/// v0.13+ layouts) plus <c>manifest.json</c>, deterministically from <see cref="SampleStoreOptions.Seed"/>.
/// </summary>
public static class SampleStoreGenerator
{
    /// <summary>Name nwaku gives the message store (v0.13+ default URL <c>sqlite://store.sqlite3</c>; <c>&lt;db-path&gt;/store.sqlite3</c> before).</summary>
    public const string MessageFileName = "store.sqlite3";

    /// <summary>Name of nwaku's v0.13+ peer store.</summary>
    public const string PeerFileName = "peers.db";

    /// <summary>Name of the ground-truth manifest.</summary>
    public const string ManifestFileName = "manifest.json";

    /// <summary>Generates the store into <paramref name="directory"/> (created if needed; files must not exist).</summary>
    public static GroundTruthManifest Generate(string directory, SampleStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Directory.CreateDirectory(directory);
        MessageTableSchema schema = NwakuSchemaCatalog.Get(options.Layout);

        // v0.3–v0.12 keep peers in the message file; v0.13+ in peers.db; v0.1–v0.2 had no peer storage.
        bool peersInMessageFile = options.Layout is >= MessageSchemaId.S1 and <= MessageSchemaId.S6;
        bool hasPeers = options.PeerCount > 0 && options.Layout != MessageSchemaId.S0;
        PeerTableSchema peerSchema = NwakuSchemaCatalog.Get(PeerSchemaId.FourColumns);

        string messagePath = Path.Combine(directory, MessageFileName);
        var listed = options.ListRowsInManifest ? new List<ManifestMessage>() : null;
        var keys = new List<byte[]>();
        long count = 0, payloadBytes = 0, overflowing = 0;

        IEnumerable<object?[]> Rows()
        {
            foreach (StoredMessage message in new SyntheticMessages(options).Generate())
            {
                object?[] row = message.ToRow(schema);
                string key = MessageRowValidator.FormatKey(schema, row);
                keys.Add(Encoding.ASCII.GetBytes(key));
                count++;
                payloadBytes += message.Payload.Length;
                overflowing += RecordSize.Of(schema, row) > RecordSize.MaxLocalWithoutRowid4K ? 1 : 0;
                listed?.Add(new ManifestMessage(key, message.PubsubTopic, message.ContentTopic, message.Payload.Length,
                    Convert.ToHexStringLower(SHA256.HashData(message.Payload)), message.Version, message.Timestamp, message.ReceivedAt,
                    message.Meta is null ? null : Convert.ToHexStringLower(message.Meta)));
                yield return row;
            }
        }

        long eraStart = (options.Start ?? SyntheticMessages.TypicalStart(options.Layout)).ToUnixTimeSeconds();
        List<SyntheticPeer> peers = hasPeers ? SyntheticPeers.Generate(options.Seed, options.PeerCount, options.Layout, eraStart) : [];
        IEnumerable<object?[]> PeerRows() => peers.Select(p => new object?[] { p.PeerId, p.StoredInfo, p.Connectedness, p.DisconnectTime });

        using (NwakuDatabaseWriter writer = NwakuDatabaseWriter.Create(messagePath, schema, hasPeers && peersInMessageFile ? peerSchema : null, cacheMebibytes: options.CacheMebibytes))
        {
            writer.InsertMessages(Rows());
            if (hasPeers && peersInMessageFile)
            {
                writer.InsertPeers(PeerRows());
            }
        }

        string? peerFile = null;
        if (hasPeers)
        {
            peerFile = peersInMessageFile ? MessageFileName : PeerFileName;
            if (!peersInMessageFile)
            {
                // peers.db: peer script 00001, user_version 1 (v0.13+).
                using NwakuDatabaseWriter peerWriter = NwakuDatabaseWriter.Create(Path.Combine(directory, PeerFileName), null, peerSchema, userVersion: 1);
                peerWriter.InsertPeers(PeerRows());
            }
        }

        keys.Sort((a, b) => a.AsSpan().SequenceCompareTo(b));
        using var keysHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (byte[] key in keys)
        {
            keysHash.AppendData(key);
            keysHash.AppendData("\n"u8);
        }

        var manifest = new GroundTruthManifest
        {
            Seed = options.Seed,
            Layout = options.Layout.ToString(),
            UserVersion = schema.UserVersions[0],
            MessageTable = schema.TableName,
            MessageFile = MessageFileName,
            PeerFile = peerFile,
            MessageCount = count,
            PayloadBytes = payloadBytes,
            OverflowingMessages = overflowing,
            KeysSha256 = Convert.ToHexStringLower(keysHash.GetHashAndReset()),
            Messages = listed,
            Peers = peers.Select(p => new ManifestPeer(Convert.ToHexStringLower(p.PeerId), p.StoredInfo.Length, p.Connectedness, p.DisconnectTime)).ToArray(),
        };
        manifest.Save(Path.Combine(directory, ManifestFileName));
        return manifest;
    }
}
