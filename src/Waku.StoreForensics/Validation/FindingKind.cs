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
}
