namespace Waku.StoreForensics.Schema;

/// <summary>
/// Every Message and Peer table layout nwaku ever wrote to SQLite, with the exact DDL text. Sources: nwaku's
/// <c>migrations/message_store/0000N_*.up.sql</c> and <c>migrations/peer_store/00001_addPeerTable.up.sql</c>,
/// and the driver CREATE statements at tags v0.1, v0.4, v0.5, v0.8, v0.12.0, v0.23.0, v0.28.0, v0.37.1-beta.
/// Stored texts were obtained by replaying those statements in SQLite and are checked by tests.
/// </summary>
public static class NwakuSchemaCatalog
{
    // Column helpers. Names and declared types are nwaku's; meanings follow the driver code of each release.
    private static ColumnDefinition Digest(string name, int pk, string meaning) =>
        new(name, "BLOB", false, pk, ColumnRole.MessageDigest, TimestampUnit.None, meaning);

    private static ColumnDefinition Blob(string name, bool notNull, int pk, ColumnRole role, string meaning) =>
        new(name, "BLOB", notNull, pk, role, TimestampUnit.None, meaning);

    private static ColumnDefinition Time(string name, string type, int pk, ColumnRole role, TimestampUnit unit, string meaning) =>
        new(name, type, true, pk, role, unit, meaning);

    private static ColumnDefinition VersionColumn() =>
        new("version", "INTEGER", true, 0, ColumnRole.Version, TimestampUnit.None, "WakuMessage field 3: 0 unencrypted, 1 26/WAKU-PAYLOAD.");

    private static readonly string DigestMeaning = "SHA-256(contentTopic UTF-8 ‖ payload): the store 'digest' (Index.digest on the wire).";
    private static readonly string PayloadMeaning = "WakuMessage field 1, raw bytes.";
    private static readonly string ContentTopicMeaning = "Content topic, UTF-8 bytes bound as BLOB.";
    private static readonly string PubsubTopicMeaning = "Pubsub topic, UTF-8 bytes bound as BLOB.";
    private static readonly string HashMeaning = "SHA-256(pubsubTopic ‖ payload ‖ contentTopic ‖ meta ‖ uint64-BE(timestamp)); rows migrated by 00008 hold randomblob(32).";

    // ---- S0: v0.1 waku/v2/node/message_store.nim (note the trailing space after "NOT NULL,")
    private const string S0Create =
        "CREATE TABLE IF NOT EXISTS messages (\n" +
        "        id BLOB PRIMARY KEY,\n" +
        "        timestamp INTEGER NOT NULL,\n" +
        "        contentTopic INTEGER NOT NULL, \n" +
        "        payload BLOB\n" +
        "    ) WITHOUT ROWID;";

    // ---- S1: v0.4 waku/v2/node/storage/message/waku_message_store.nim, and script 00001
    private const string S1Body =
        "        id BLOB PRIMARY KEY,\n" +
        "        timestamp INTEGER NOT NULL,\n" +
        "        contentTopic BLOB NOT NULL,\n" +
        "        pubsubTopic BLOB NOT NULL,\n" +
        "        payload BLOB,\n" +
        "        version INTEGER NOT NULL\n" +
        "    ) WITHOUT ROWID";

    // ---- S2: v0.5 driver and script 00002
    private const string S2Body =
        "        id BLOB PRIMARY KEY,\n" +
        "        receiverTimestamp REAL NOT NULL,\n" +
        "        contentTopic BLOB NOT NULL,\n" +
        "        pubsubTopic BLOB NOT NULL,\n" +
        "        payload BLOB,\n" +
        "        version INTEGER NOT NULL,\n" +
        "        senderTimestamp REAL NOT NULL\n" +
        "    ) WITHOUT ROWID";

    // ---- S3: script 00003
    private const string S3Body =
        "        id BLOB PRIMARY KEY,\n" +
        "        receiverTimestamp INTEGER NOT NULL,\n" +
        "        contentTopic BLOB NOT NULL,\n" +
        "        pubsubTopic BLOB NOT NULL,\n" +
        "        payload BLOB,\n" +
        "        version INTEGER NOT NULL,\n" +
        "        senderTimestamp INTEGER NOT NULL\n" +
        "    ) WITHOUT ROWID";

    // ---- S4: script 00004; v0.8 driver has "senderTimestamp INTEGER  NOT NULL" (two spaces, TIMESTAMP_TABLE_TYPE splice)
    private static string S4Body(string receiverName, string senderTypeGap) =>
        "        id BLOB,\n" +
        $"        {receiverName} INTEGER NOT NULL,\n" +
        "        contentTopic BLOB NOT NULL,\n" +
        "        pubsubTopic BLOB NOT NULL,\n" +
        "        payload BLOB,\n" +
        "        version INTEGER NOT NULL,\n" +
        $"        senderTimestamp INTEGER{senderTypeGap}NOT NULL,\n" +
        "        CONSTRAINT messageIndex PRIMARY KEY (senderTimestamp, id, pubsubTopic)\n" +
        "    ) WITHOUT ROWID";

    // ---- S7: script 00007 and the v0.12–v0.22 driver (queries.nim createTableQuery)
    private const string S7Migrated =
        "CREATE TABLE message(\n" +
        "  pubsubTopic BLOB NOT NULL,\n" +
        "  contentTopic BLOB NOT NULL,\n" +
        "  payload BLOB,\n" +
        "  version INTEGER NOT NULL,\n" +
        "  timestamp INTEGER NOT NULL,\n" +
        "  id BLOB,\n" +
        "  storedAt INTEGER NOT NULL,\n" +
        "  CONSTRAINT messageIndex PRIMARY KEY (storedAt, id, pubsubTopic)\n" +
        ") WITHOUT ROWID";

    private const string S7Driver =
        "CREATE TABLE Message ( pubsubTopic BLOB NOT NULL, contentTopic BLOB NOT NULL, payload BLOB, " +
        "version INTEGER NOT NULL, timestamp INTEGER NOT NULL, id BLOB, storedAt INTEGER NOT NULL, " +
        "CONSTRAINT messageIndex PRIMARY KEY (storedAt, id, pubsubTopic)) WITHOUT ROWID";

    /// <summary>The SQL comment that script 00008 leaves inside the stored DDL: proof the table came from that migration.</summary>
    public const string Migration8Comment = "-- Newly added, this will be populated with a counter value";

    // ---- S8: script 00008 and the v0.23–v0.27 driver
    private const string S8Migrated =
        "CREATE TABLE message (\n" +
        "  pubsubTopic BLOB NOT NULL,\n" +
        "  contentTopic BLOB NOT NULL,\n" +
        "  payload BLOB,\n" +
        "  version INTEGER NOT NULL,\n" +
        "  timestamp INTEGER NOT NULL,\n" +
        "  id BLOB,\n" +
        "  messageHash BLOB, " + Migration8Comment + "\n" +
        "  storedAt INTEGER NOT NULL,\n" +
        "  CONSTRAINT messageIndex PRIMARY KEY (messageHash)\n" +
        ") WITHOUT ROWID";

    private const string S8Driver =
        "CREATE TABLE Message ( pubsubTopic BLOB NOT NULL, contentTopic BLOB NOT NULL, payload BLOB, " +
        "version INTEGER NOT NULL, timestamp INTEGER NOT NULL, id BLOB, messageHash BLOB, storedAt INTEGER NOT NULL, " +
        "CONSTRAINT messageIndex PRIMARY KEY (messageHash)) WITHOUT ROWID";

    // ---- S9: 00009 = ALTER TABLE message ADD COLUMN meta BLOB (SQLite splices ", meta BLOB" after the last column)
    private const string S9Migrated =
        "CREATE TABLE message (\n" +
        "  pubsubTopic BLOB NOT NULL,\n" +
        "  contentTopic BLOB NOT NULL,\n" +
        "  payload BLOB,\n" +
        "  version INTEGER NOT NULL,\n" +
        "  timestamp INTEGER NOT NULL,\n" +
        "  id BLOB,\n" +
        "  messageHash BLOB, " + Migration8Comment + "\n" +
        "  storedAt INTEGER NOT NULL, meta BLOB,\n" +
        "  CONSTRAINT messageIndex PRIMARY KEY (messageHash)\n" +
        ") WITHOUT ROWID";

    private const string S9Driver =
        "CREATE TABLE Message ( pubsubTopic BLOB NOT NULL, contentTopic BLOB NOT NULL, payload BLOB, " +
        "version INTEGER NOT NULL, timestamp INTEGER NOT NULL, id BLOB, messageHash BLOB, storedAt INTEGER NOT NULL, " +
        "meta BLOB, CONSTRAINT messageIndex PRIMARY KEY (messageHash)) WITHOUT ROWID";

    // ---- S10: 00010 = DROP COLUMN timestamp; RENAME COLUMN storedAt TO timestamp
    private const string S10Migrated =
        "CREATE TABLE message (\n" +
        "  pubsubTopic BLOB NOT NULL,\n" +
        "  contentTopic BLOB NOT NULL,\n" +
        "  payload BLOB,\n" +
        "  version INTEGER NOT NULL,\n" +
        "  id BLOB,\n" +
        "  messageHash BLOB, " + Migration8Comment + "\n" +
        "  timestamp INTEGER NOT NULL, meta BLOB,\n" +
        "  CONSTRAINT messageIndex PRIMARY KEY (messageHash)\n" +
        ") WITHOUT ROWID";

    // ---- Native: v0.31+ waku/waku_archive/driver/sqlite_driver/queries.nim createTableQuery
    private const string NativeCreate =
        "CREATE TABLE IF NOT EXISTS Message ( messageHash BLOB NOT NULL PRIMARY KEY, pubsubTopic BLOB NOT NULL, " +
        "contentTopic BLOB NOT NULL, payload BLOB, version INTEGER NOT NULL, timestamp INTEGER NOT NULL, meta BLOB) WITHOUT ROWID;";

    // ---- Peer: v0.4 waku_peer_storage.nim and peer script 00001 (same text); v0.23+ two-column driver variant
    private const string PeerFourBody =
        "        peerId BLOB PRIMARY KEY,\n" +
        "        storedInfo BLOB,\n" +
        "        connectedness INTEGER,\n" +
        "        disconnectTime INTEGER\n" +
        "    ) WITHOUT ROWID";

    private const string PeerTwoBody =
        "        peerId BLOB PRIMARY KEY,\n" +
        "        storedInfo BLOB\n" +
        "    ) WITHOUT ROWID";

    private static IndexDefinition Index(string name, string table, string columns, string createdBy, bool atStart, string gap = " ") =>
        new(name, columns.Split(", "), $"CREATE INDEX IF NOT EXISTS {name} ON {table}{gap}({columns});", createdBy, atStart);

    private static readonly IndexDefinition IndexRt = Index("i_rt", "Message", "receiverTimestamp", "v0.10–v0.11 driver", atStart: true, gap: "");
    private static readonly IndexDefinition IndexMsg = Index("i_msg", "Message", "contentTopic, pubsubTopic, senderTimestamp, id", "script 00005 (v0.12 migration path)", atStart: false);
    private static readonly IndexDefinition IndexTsStoredAt = Index("i_ts", "Message", "storedAt", "v0.12–v0.30 driver and v0.31+ legacy driver, every start; script 00006 (lowercase table)", atStart: true);
    private static readonly IndexDefinition IndexQueryStoredAt = Index("i_query", "Message", "contentTopic, pubsubTopic, storedAt, id", "v0.12–v0.30 driver and v0.31+ legacy driver, every start; script 00006 (lowercase table)", atStart: true);
    private static readonly IndexDefinition IndexTsTimestamp = Index("i_ts", "Message", "timestamp", "v0.31+ new archive driver, every start; an S9 i_ts is renamed onto timestamp by 00010", atStart: true);
    private static readonly IndexDefinition IndexQueryTimestamp = new("i_query", ["contentTopic", "pubsubTopic", "timestamp", "id"], "CREATE INDEX i_query ON Message (contentTopic, pubsubTopic, timestamp, id)", "left by 00010's RENAME COLUMN on a file upgraded from S9 (no release creates it directly)", IsCreatedAtStart: false);

    private static readonly ColumnDefinition[] S0Columns =
    [
        Digest("id", 1, "SHA-256(uint32-LE(contentTopic) ‖ payload) (v0.1–v0.2 computeIndex)."),
        Time("timestamp", "INTEGER", 0, ColumnRole.ReceiveTime, TimestampUnit.WholeSeconds, "Node receive time, int64(epochTime()) whole seconds."),
        new("contentTopic", "INTEGER", true, 0, ColumnRole.ContentTopic, TimestampUnit.None, "Content topic as a uint32 (v0.1–v0.2 WakuMessage field 2)."),
        Blob("payload", false, 0, ColumnRole.Payload, PayloadMeaning),
    ];

    private static readonly ColumnDefinition[] S1Columns =
    [
        Digest("id", 1, DigestMeaning),
        Time("timestamp", "INTEGER", 0, ColumnRole.ReceiveTime, TimestampUnit.WholeSeconds, "Node receive time, int64(epochTime()) whole seconds; the sender's timestamp is not stored."),
        Blob("contentTopic", true, 0, ColumnRole.ContentTopic, ContentTopicMeaning),
        Blob("pubsubTopic", true, 0, ColumnRole.PubsubTopic, PubsubTopicMeaning),
        Blob("payload", false, 0, ColumnRole.Payload, PayloadMeaning),
        VersionColumn(),
    ];

    private static ColumnDefinition[] TwoTimestampColumns(string type, TimestampUnit unit, int senderPk, int idPk, int pubsubPk, string receiverName) =>
    [
        Digest("id", idPk, DigestMeaning),
        Time(receiverName, type, 0, ColumnRole.ReceiveTime, unit, unit == TimestampUnit.FractionalSeconds
            ? "Node receive time, epochTime() seconds as REAL (v0.7: rounded to ms); rows migrated from S1 keep whole seconds."
            : "Node receive time in ns (v0.8 wrote seconds × 1e8 by a bug; v0.9–v0.11 whole seconds × 1e9)."),
        Blob("contentTopic", true, 0, ColumnRole.ContentTopic, ContentTopicMeaning),
        Blob("pubsubTopic", true, pubsubPk, ColumnRole.PubsubTopic, PubsubTopicMeaning),
        Blob("payload", false, 0, ColumnRole.Payload, PayloadMeaning),
        VersionColumn(),
        Time("senderTimestamp", type, senderPk, ColumnRole.SenderTime, unit, unit == TimestampUnit.FractionalSeconds
            ? "WakuMessage field 4 (double seconds); 0 for rows migrated from S1."
            : "WakuMessage field 10 (sint64 ns); 0 when the sender set none."),
    ];

    private static ColumnDefinition[] StoredAtColumns(bool withHash, bool withMeta) =>
    [
        Blob("pubsubTopic", true, withHash ? 0 : 3, ColumnRole.PubsubTopic, PubsubTopicMeaning),
        Blob("contentTopic", true, 0, ColumnRole.ContentTopic, ContentTopicMeaning),
        Blob("payload", false, 0, ColumnRole.Payload, PayloadMeaning),
        VersionColumn(),
        Time("timestamp", "INTEGER", 0, ColumnRole.SenderTime, TimestampUnit.Nanoseconds, "WakuMessage timestamp (ns), 0 when the sender set none (accepted until the v0.31 new archive)."),
        Digest("id", withHash ? 0 : 2, DigestMeaning),
        .. (withHash ? new[] { Blob("messageHash", false, 1, ColumnRole.MessageHash, HashMeaning) } : []),
        Time("storedAt", "INTEGER", withHash ? 0 : 1, ColumnRole.ReceiveTime, TimestampUnit.Nanoseconds, "msg.timestamp when > 0, else the node's time (ns; whole seconds × 1e9 before v0.16)."),
        .. (withMeta ? new[] { Blob("meta", false, 0, ColumnRole.Meta, "WakuMessage field 11 (≤ 64 bytes); NULL for rows older than 00009.") } : []),
    ];

    private static readonly ColumnDefinition[] S10Columns =
    [
        Blob("pubsubTopic", true, 0, ColumnRole.PubsubTopic, PubsubTopicMeaning),
        Blob("contentTopic", true, 0, ColumnRole.ContentTopic, ContentTopicMeaning),
        Blob("payload", false, 0, ColumnRole.Payload, PayloadMeaning),
        VersionColumn(),
        Digest("id", 0, "Digest of rows inherited from S9; NULL for rows the v0.35+ archive inserts."),
        Blob("messageHash", false, 1, ColumnRole.MessageHash, HashMeaning),
        Time("timestamp", "INTEGER", 0, ColumnRole.MessageTime, TimestampUnit.Nanoseconds, "The former storedAt (00010 renames it): msg.timestamp for new rows (ns)."),
        Blob("meta", false, 0, ColumnRole.Meta, "WakuMessage field 11 (≤ 64 bytes); NULL for rows older than 00009."),
    ];

    private static readonly ColumnDefinition[] NativeColumns =
    [
        Blob("messageHash", true, 1, ColumnRole.MessageHash, "SHA-256(pubsubTopic ‖ payload ‖ contentTopic ‖ meta ‖ uint64-BE(timestamp))."),
        Blob("pubsubTopic", true, 0, ColumnRole.PubsubTopic, PubsubTopicMeaning),
        Blob("contentTopic", true, 0, ColumnRole.ContentTopic, ContentTopicMeaning),
        Blob("payload", false, 0, ColumnRole.Payload, PayloadMeaning),
        VersionColumn(),
        Time("timestamp", "INTEGER", 0, ColumnRole.MessageTime, TimestampUnit.Nanoseconds, "WakuMessage timestamp (ns); the archive rejects messages outside now ± 20 s."),
        Blob("meta", false, 0, ColumnRole.Meta, "WakuMessage field 11 (≤ 64 bytes)."),
    ];

    private static readonly ColumnDefinition[] PeerFourColumns =
    [
        Blob("peerId", false, 1, ColumnRole.PeerId, "libp2p peer ID bytes (multihash; 39 bytes for a secp256k1 identity)."),
        Blob("storedInfo", false, 0, ColumnRole.StoredInfo, "StoredInfo/RemotePeerInfo protobuf: peer_id 1, addrs 2, protos 3, public_key 4 (+ connectedness 5, disconnect_time 6, enr 7 from v0.23)."),
        new("connectedness", "INTEGER", false, 0, ColumnRole.Connectedness, TimestampUnit.None, "0 NotConnected, 1 CannotConnect, 2 CanConnect, 3 Connected; NULL from v0.23 (moved into storedInfo)."),
        new("disconnectTime", "INTEGER", false, 0, ColumnRole.DisconnectTime, TimestampUnit.WholeSeconds, "Unix seconds of the last disconnection, 0 when not applicable; NULL from v0.23."),
    ];

    /// <summary>Every Message-table layout, oldest first.</summary>
    public static IReadOnlyList<MessageTableSchema> MessageSchemas { get; } =
    [
        new(MessageSchemaId.S0, "messages", "v0.1–v0.2", S0Columns, [1],
            S0Create, [S0Create.Replace("IF NOT EXISTS ", "", StringComparison.Ordinal).TrimEnd(';')], [], false,
            "Content topic is a 4-byte integer; user_version forced to 1 on every open."),
        new(MessageSchemaId.S1, "Message", "v0.3–v0.4 (script 00001 in v0.5+)", S1Columns, [1],
            "CREATE TABLE IF NOT EXISTS Message (\n" + S1Body + ";",
            ["CREATE TABLE Message (\n" + S1Body, "CREATE TABLE Message(\n" + S1Body], [], false,
            "timestamp is the node's receive time in whole seconds. v0.5/v0.6 images bumped user_version to 2 over this layout (#791)."),
        new(MessageSchemaId.S2, "Message", "v0.5–v0.7 (script 00002)", TwoTimestampColumns("REAL", TimestampUnit.FractionalSeconds, 0, 1, 0, "receiverTimestamp"), [2],
            "CREATE TABLE IF NOT EXISTS Message (\n" + S2Body + ";",
            ["CREATE TABLE Message(\n" + S2Body, "CREATE TABLE Message (\n" + S2Body], [], false,
            "REAL seconds; SQLite may store integral REAL values with integer serial types on disk."),
        new(MessageSchemaId.S3, "Message", "transient inside v0.8's migration (script 00003)", TwoTimestampColumns("INTEGER", TimestampUnit.Nanoseconds, 0, 1, 0, "receiverTimestamp"), [2],
            "CREATE TABLE IF NOT EXISTS Message(\n" + S3Body + ";",
            ["CREATE TABLE Message(\n" + S3Body], [], true,
            "Only persists if 00004 failed after 00003 (v0.8–v0.12 only logged migration failures)."),
        new(MessageSchemaId.S4, "Message", "v0.8–v0.11 (script 00004)", TwoTimestampColumns("INTEGER", TimestampUnit.Nanoseconds, 1, 2, 3, "receiverTimestamp"), [4, 0],
            "CREATE TABLE IF NOT EXISTS Message(\n" + S4Body("receiverTimestamp", " ") + ";",
            ["CREATE TABLE Message(\n" + S4Body("receiverTimestamp", " "), "CREATE TABLE Message (\n" + S4Body("receiverTimestamp", "  ")],
            [IndexRt, IndexMsg], false,
            "v0.8 receive times are seconds × 1e8 (getNanosecondTime bug); user_version 0 when the driver created it without scripts."),
        new(MessageSchemaId.S6, "Message", "transient in the v0.12 migration (scripts 00005–00006)", TwoTimestampColumns("INTEGER", TimestampUnit.Nanoseconds, 1, 2, 3, "storedAt"), [4],
            "ALTER TABLE message RENAME COLUMN receiverTimestamp TO storedAt;",
            ["CREATE TABLE Message(\n" + S4Body("storedAt", " ")], [IndexQueryStoredAt, IndexTsStoredAt], true,
            "Only persists if 00007 failed."),
        new(MessageSchemaId.S7, "message", "v0.12.0–v0.22.0 (script 00007)", StoredAtColumns(false, false), [7, 0],
            "CREATE TABLE IF NOT EXISTS message(\n" + S7Migrated["CREATE TABLE message(\n".Length..] + ";",
            [S7Migrated, S7Driver], [IndexTsStoredAt, IndexQueryStoredAt], false,
            "00007 copies with INSERT OR IGNORE (rows colliding on the new key are dropped). v0.14–v0.18 files may carry user_version 0 (#2027)."),
        new(MessageSchemaId.S8, "message", "v0.23.0–v0.27.0 (script 00008)", StoredAtColumns(true, false), [8, 0],
            "CREATE TABLE IF NOT EXISTS message (\n" + S8Migrated["CREATE TABLE message (\n".Length..] + ";",
            [S8Migrated, S8Driver], [IndexTsStoredAt, IndexQueryStoredAt], false,
            "Rows copied by 00008 got messageHash = randomblob(32). No meta column: the hash of a message with meta cannot be recomputed."),
        new(MessageSchemaId.S9, "message", "v0.28.0–v0.36 and the legacy driver to v0.37 (script 00009)", StoredAtColumns(true, true), [9, 0],
            "ALTER TABLE message ADD COLUMN meta BLOB;",
            [S9Migrated, S9Driver], [IndexTsStoredAt, IndexQueryStoredAt], false,
            "Rows older than 00009 are shorter records (8 values): SQLite reads the missing meta as NULL."),
        new(MessageSchemaId.S10, "message", "v0.35+ new archive after migration (script 00010; default in v0.37)", S10Columns, [10],
            "ALTER TABLE message DROP COLUMN timestamp;\nALTER TABLE message RENAME COLUMN storedAt TO timestamp;",
            [S10Migrated], [IndexTsTimestamp, IndexQueryTimestamp], false,
            "timestamp holds the former storedAt; id is NULL for new rows. A fresh file migrated 1→10 has only i_ts."),
        new(MessageSchemaId.Native, "Message", "v0.31+ new archive driver without migration", NativeColumns, [0],
            NativeCreate, [NativeCreate.Replace("IF NOT EXISTS ", "", StringComparison.Ordinal).TrimEnd(';')], [IndexTsTimestamp], false,
            "Only when no Message table existed after migration (migration off or scripts missing); user_version stays 0."),
    ];

    /// <summary>Both Peer-table layouts.</summary>
    public static IReadOnlyList<PeerTableSchema> PeerSchemas { get; } =
    [
        new(PeerSchemaId.FourColumns, "v0.3–v0.22 driver; peer script 00001 (all releases)", PeerFourColumns, [1, 2, 4, 7],
            "CREATE TABLE IF NOT EXISTS Peer (\n" + PeerFourBody + ";", ["CREATE TABLE Peer (\n" + PeerFourBody],
            "In store.sqlite3 (shared user_version) to v0.12, in peers.db (user_version 1) from v0.13. v0.23+ writes only peerId and storedInfo."),
        new(PeerSchemaId.TwoColumns, "v0.23+ driver without migration", PeerFourColumns[..2], [0, 1],
            "CREATE TABLE IF NOT EXISTS Peer (\n" + PeerTwoBody + ";", ["CREATE TABLE Peer (\n" + PeerTwoBody],
            "Everything else lives in the storedInfo protobuf (fields 5–7)."),
    ];

    /// <summary>The layout a fresh default node of the newest release (v0.37) writes: <see cref="MessageSchemaId.S10"/>.</summary>
    public static MessageTableSchema Latest => Get(MessageSchemaId.S10);

    /// <summary>The layout with <paramref name="id"/>.</summary>
    public static MessageTableSchema Get(MessageSchemaId id) =>
        MessageSchemas.FirstOrDefault(s => s.Id == id) ?? throw new ArgumentOutOfRangeException(nameof(id), id, "Not a catalogued schema.");

    /// <summary>The Peer layout with <paramref name="id"/>.</summary>
    public static PeerTableSchema Get(PeerSchemaId id) =>
        PeerSchemas.FirstOrDefault(s => s.Id == id) ?? throw new ArgumentOutOfRangeException(nameof(id), id, "Not a catalogued schema.");
}
