namespace Waku.StoreForensics.Validation;

/// <summary>
/// The kinds of findings. Grouped by the layer that reports them; numbers are stable (JSON writes names),
/// new kinds take new numbers within their group.
/// </summary>
public enum FindingKind
{
    // ---- 100: schema and file-level catalog detection

    /// <summary>No table in the file looks like an nwaku Message table.</summary>
    MessageTableMissing = 100,

    /// <summary>The Message table's columns match no layout nwaku ever created.</summary>
    UnknownMessageLayout = 101,

    /// <summary><c>PRAGMA user_version</c> does not go with the table layout: nwaku would skip or replay migrations.</summary>
    UserVersionMismatch = 102,

    /// <summary>The #791 state: v0.4 layout under user_version 2 (v0.5/v0.6 images without migration scripts).</summary>
    V04LayoutUnderUserVersion2 = 103,

    /// <summary>A schema-7 table under user_version 0, left by v0.14–v0.18 (#2027).</summary>
    UserVersionZeroOverSchema7 = 104,

    /// <summary>A <c>Message_backup</c> table is left: a migration stopped half-way.</summary>
    InterruptedMigration = 105,

    /// <summary>The table went through script 00008, which filled messageHash of existing rows with random bytes.</summary>
    RandomMessageHashesFromMigration8 = 106,

    /// <summary>An index nwaku creates for this layout is missing (nwaku re-creates it at start).</summary>
    IndexMissing = 107,

    /// <summary>A Peer table whose columns match no nwaku layout.</summary>
    UnknownPeerLayout = 108,

    /// <summary>The records on a table's pages have the shape of another layout than its schema entry declares.</summary>
    RecordsDisagreeWithSchema = 109,

    /// <summary>The layout was inferred from the shape of the records because no usable schema entry exists.</summary>
    LayoutInferredFromRecords = 110,

    // ---- 200: message rows

    /// <summary>A column nwaku always fills (NOT NULL, or part of a WITHOUT ROWID key) is NULL.</summary>
    RequiredValueMissing = 200,

    /// <summary>A value has a storage class nwaku never writes into that column.</summary>
    UnexpectedStorageClass = 201,

    /// <summary>A topic, payload or meta is stored as TEXT: nwaku binds BLOBs, so its queries never match the row.</summary>
    TextInBlobColumn = 202,

    /// <summary>The key column (id digest or messageHash) differs from the value recomputed from the row.</summary>
    KeyMismatch = 203,

    /// <summary>The messageHash cannot be recomputed: it predates nwaku v0.23 and was filled randomly by 00008.</summary>
    KeyNotReproducible = 204,

    /// <summary>The key column is not a 32-byte SHA-256 value.</summary>
    KeyMalformed = 205,

    /// <summary>A topic is not valid UTF-8 or contains control characters: garbled bytes.</summary>
    TopicGarbled = 206,

    /// <summary>A content topic breaks the <c>/app/version/name/encoding</c> form nwaku parses (RFC 23).</summary>
    ContentTopicUnconventional = 207,

    /// <summary>A pubsub topic starts like a static-sharding topic but cluster or shard is not a 16-bit number.</summary>
    PubsubTopicInvalid = 208,

    /// <summary>A pubsub topic outside the <c>/waku/2/…</c> namespace.</summary>
    PubsubTopicUnconventional = 209,

    /// <summary>A time is outside the years nwaku has existed (or in the future) for its column's unit.</summary>
    TimestampImplausible = 210,

    /// <summary>A time is plausible only in another unit (e.g. nanoseconds in a seconds column).</summary>
    TimestampUnitMismatch = 211,

    /// <summary>A receive time written by nwaku v0.8's seconds × 1e8 bug; genuine, not damage.</summary>
    TimestampFromV08Bug = 212,

    /// <summary>The version column is not a uint32, or is not a known WakuMessage version.</summary>
    VersionInvalid = 213,

    /// <summary>The payload is larger than any nwaku release would store.</summary>
    PayloadTooLarge = 214,

    /// <summary>The meta field is longer than 64 bytes: nwaku v0.16+ refuses to decode such a message.</summary>
    MetaTooLarge = 215,

    /// <summary>The row has a different number of values than the layout has columns.</summary>
    RowShapeMismatch = 216,

    // ---- 300: file format, reported by our page reader (same names as Sqlite.SqliteFindingKind)

    /// <summary>File-format damage: see <see cref="Sqlite.SqliteFindingKind.HeaderMagicInvalid"/>.</summary>
    HeaderMagicInvalid = 300,

    /// <summary>File-format damage: see <see cref="Sqlite.SqliteFindingKind.HeaderPageSizeInvalid"/>.</summary>
    HeaderPageSizeInvalid = 301,

    /// <summary>File-format damage: see <see cref="Sqlite.SqliteFindingKind.HeaderFieldOutOfSpec"/>.</summary>
    HeaderFieldOutOfSpec = 302,

    /// <summary>File-format damage: see <see cref="Sqlite.SqliteFindingKind.HeaderSizeMismatch"/>.</summary>
    HeaderSizeMismatch = 303,

    /// <summary>File-format damage: see <see cref="Sqlite.SqliteFindingKind.FileTruncated"/>.</summary>
    FileTruncated = 304,

    /// <summary>File-format damage: see <see cref="Sqlite.SqliteFindingKind.PageTypeInvalid"/>.</summary>
    PageTypeInvalid = 305,

    /// <summary>File-format damage: see <see cref="Sqlite.SqliteFindingKind.PageNumberOutOfRange"/>.</summary>
    PageNumberOutOfRange = 306,

    /// <summary>File-format damage: see <see cref="Sqlite.SqliteFindingKind.BTreeCycle"/>.</summary>
    BTreeCycle = 307,

    /// <summary>File-format damage: see <see cref="Sqlite.SqliteFindingKind.BTreeTooDeep"/>.</summary>
    BTreeTooDeep = 308,

    /// <summary>File-format damage: see <see cref="Sqlite.SqliteFindingKind.CellCountAbsurd"/>.</summary>
    CellCountAbsurd = 309,

    /// <summary>File-format damage: see <see cref="Sqlite.SqliteFindingKind.CellOutOfBounds"/>.</summary>
    CellOutOfBounds = 310,

    /// <summary>File-format damage: see <see cref="Sqlite.SqliteFindingKind.FreeblockChainInvalid"/>.</summary>
    FreeblockChainInvalid = 311,

    /// <summary>File-format damage: see <see cref="Sqlite.SqliteFindingKind.PageSpaceInconsistent"/>.</summary>
    PageSpaceInconsistent = 312,

    /// <summary>File-format damage: see <see cref="Sqlite.SqliteFindingKind.OverflowChainCycle"/>.</summary>
    OverflowChainCycle = 313,

    /// <summary>File-format damage: see <see cref="Sqlite.SqliteFindingKind.OverflowChainBroken"/>.</summary>
    OverflowChainBroken = 314,

    /// <summary>File-format damage: see <see cref="Sqlite.SqliteFindingKind.PayloadSizeImplausible"/>.</summary>
    PayloadSizeImplausible = 315,

    /// <summary>File-format damage: see <see cref="Sqlite.SqliteFindingKind.RecordInvalid"/>.</summary>
    RecordInvalid = 316,

    /// <summary>File-format damage: see <see cref="Sqlite.SqliteFindingKind.KeyOrderViolation"/>.</summary>
    KeyOrderViolation = 317,

    /// <summary>File-format damage: see <see cref="Sqlite.SqliteFindingKind.FreelistInvalid"/>.</summary>
    FreelistInvalid = 318,

    /// <summary>File-format damage: see <see cref="Sqlite.SqliteFindingKind.FreelistCountMismatch"/>.</summary>
    FreelistCountMismatch = 319,

    /// <summary>File-format damage: see <see cref="Sqlite.SqliteFindingKind.PointerMapMismatch"/>.</summary>
    PointerMapMismatch = 320,

    /// <summary>File-format damage: see <see cref="Sqlite.SqliteFindingKind.OrphanPage"/>.</summary>
    OrphanPage = 321,

    /// <summary>File-format damage: see <see cref="Sqlite.SqliteFindingKind.PageClaimedTwice"/>.</summary>
    PageClaimedTwice = 322,

    /// <summary>File-format damage: see <see cref="Sqlite.SqliteFindingKind.SchemaInvalid"/>.</summary>
    SchemaInvalid = 323,

    /// <summary>File-format damage: see <see cref="Sqlite.SqliteFindingKind.WalHeaderInvalid"/>.</summary>
    WalHeaderInvalid = 324,

    /// <summary>File-format damage: see <see cref="Sqlite.SqliteFindingKind.WalFramesInvalid"/>.</summary>
    WalFramesInvalid = 325,

    /// <summary>File-format damage: see <see cref="Sqlite.SqliteFindingKind.HotJournal"/>.</summary>
    HotJournal = 326,

    /// <summary>File-format damage: see <see cref="Sqlite.SqliteFindingKind.JournalInvalid"/>.</summary>
    JournalInvalid = 327,

    // ---- 400: SQLite's own PRAGMA integrity_check

    /// <summary>An index disagrees with its table: queries through the index return rows the table lacks, or miss rows it has (the July 2021 "select returns unexpected rows" symptom).</summary>
    IndexTableMismatch = 400,

    /// <summary>integrity_check found a NOT NULL or CHECK constraint broken by a stored row.</summary>
    IntegrityConstraintViolation = 401,

    /// <summary>integrity_check found b-tree, freelist or page accounting damage.</summary>
    IntegrityPageStructure = 402,

    /// <summary>integrity_check reported something else.</summary>
    IntegrityOther = 403,

    /// <summary>SQLite itself cannot open or check the file: nwaku would fail at start-up.</summary>
    SqliteCannotOpen = 404,

    // ---- 500: schema found from record shapes

    /// <summary>The schema table is unreadable; the layout was recognised from the shape of records on the pages.</summary>
    LayoutFromRecordShapes = 500,

    // ---- 600: peer rows (Peer table: peerId, storedInfo, connectedness, disconnectTime)

    /// <summary>The peerId column is not a libp2p peer ID: not an identity (≤ 42 bytes) or sha2-256 multihash, or its length is wrong.</summary>
    PeerIdMalformed = 600,

    /// <summary>The public key inlined in an identity-multihash peer ID is not a valid libp2p key.</summary>
    PeerIdKeyInvalid = 601,

    /// <summary>storedInfo ends in the middle of a protobuf field: the value was cut short.</summary>
    StoredInfoTruncated = 602,

    /// <summary>storedInfo is not a protobuf message of its era (bad tag, wire type or varint).</summary>
    StoredInfoMalformed = 603,

    /// <summary>storedInfo lacks a field nwaku always writes (peer ID, public key; connectedness and disconnect time from v0.23).</summary>
    StoredInfoFieldMissing = 604,

    /// <summary>The peer ID inside storedInfo differs from the peerId column.</summary>
    StoredInfoPeerIdMismatch = 605,

    /// <summary>The public key in storedInfo is not a valid libp2p PublicKey of its type.</summary>
    PublicKeyInvalid = 606,

    /// <summary>The public key in storedInfo does not derive to the row's peer ID.</summary>
    PublicKeyMismatch = 607,

    /// <summary>A multiaddr in storedInfo does not decode: truncated, an invalid value, or a code no multiaddr protocol has.</summary>
    MultiaddrInvalid = 608,

    /// <summary>A multiaddr uses a registered protocol this library does not decode, so it was checked only up to there.</summary>
    MultiaddrNotChecked = 609,

    /// <summary>Connectedness (column or protobuf field) is not one of 0 NotConnected, 1 CannotConnect, 2 CanConnect, 3 Connected.</summary>
    ConnectednessUnknown = 610,

    /// <summary>A disconnect time is negative, before 2020, in the future, or in another unit than seconds.</summary>
    DisconnectTimeImplausible = 611,

    /// <summary>storedInfo carries fields its era's protobuf does not have.</summary>
    StoredInfoUnexpectedFields = 612,

    /// <summary>A protocol ID in storedInfo is not a printable "/…" string: garbled bytes.</summary>
    ProtocolIdGarbled = 613,
}
