namespace Waku.StoreForensics.Schema;

/// <summary>
/// Every Message-table layout nwaku ever left in a SQLite file. The number is the migration script of
/// nwaku's <c>migrations/message_store</c> that produces it; <see cref="Native"/> is the table the v0.31+
/// archive driver creates itself when no migration ran.
/// </summary>
public enum MessageSchemaId
{
    /// <summary>v0.1–v0.2: table <c>messages</c>, content topic as a 4-byte integer.</summary>
    S0 = 0,

    /// <summary>v0.3–v0.4 (and script 00001): <c>Message(id, timestamp, contentTopic, pubsubTopic, payload, version)</c>.</summary>
    S1 = 1,

    /// <summary>v0.5–v0.7 (00002): receiver and sender timestamps as REAL seconds.</summary>
    S2 = 2,

    /// <summary>Transient inside v0.8's migration (00003): both timestamps INTEGER nanoseconds, key still <c>id</c>.</summary>
    S3 = 3,

    /// <summary>v0.8–v0.11 (00004): primary key (senderTimestamp, id, pubsubTopic).</summary>
    S4 = 4,

    /// <summary>Transient (00006): S4 with <c>receiverTimestamp</c> renamed to <c>storedAt</c>.</summary>
    S6 = 6,

    /// <summary>v0.12–v0.22 (00007): lowercase <c>message</c>, primary key (storedAt, id, pubsubTopic).</summary>
    S7 = 7,

    /// <summary>v0.23–v0.27 (00008): adds <c>messageHash</c> as the primary key.</summary>
    S8 = 8,

    /// <summary>v0.28–v0.36 and the legacy driver (00009): S8 plus <c>meta</c>.</summary>
    S9 = 9,

    /// <summary>v0.35+ new archive after migration (00010): <c>storedAt</c> renamed to <c>timestamp</c>.</summary>
    S10 = 10,

    /// <summary>v0.31+ new archive driver's own CREATE, only when no migration ran (user_version stays 0).</summary>
    Native = 100,
}

/// <summary>The two layouts of nwaku's <c>Peer</c> table.</summary>
public enum PeerSchemaId
{
    /// <summary>v0.3–v0.22 (and peer script 00001, used to v0.37): peerId, storedInfo, connectedness, disconnectTime.</summary>
    FourColumns = 1,

    /// <summary>v0.23+ when the table was created by code without migration: peerId, storedInfo.</summary>
    TwoColumns = 2,
}

/// <summary>What a column of an nwaku table holds.</summary>
public enum ColumnRole
{
    /// <summary>The per-era digest: SHA-256(contentTopic ‖ payload) (v0.3+) or of the 4-byte topic (v0.1–v0.2).</summary>
    MessageDigest,

    /// <summary>The deterministic message hash SHA-256(pubsubTopic ‖ payload ‖ contentTopic ‖ meta ‖ uint64-BE(timestamp)).</summary>
    MessageHash,

    /// <summary>The time the node received or stored the message (node clock).</summary>
    ReceiveTime,

    /// <summary>The sender's own timestamp from the WakuMessage (client clock; 0 when unset).</summary>
    SenderTime,

    /// <summary>The WakuMessage timestamp that the v0.31+ archive also uses as its storage time.</summary>
    MessageTime,

    /// <summary>Content topic, UTF-8 bytes bound as BLOB (an integer in S0).</summary>
    ContentTopic,

    /// <summary>Pubsub topic, UTF-8 bytes bound as BLOB.</summary>
    PubsubTopic,

    /// <summary>WakuMessage field 1.</summary>
    Payload,

    /// <summary>WakuMessage field 3 (0 unencrypted, 1 26/WAKU-PAYLOAD).</summary>
    Version,

    /// <summary>WakuMessage field 11, at most 64 bytes.</summary>
    Meta,

    /// <summary>libp2p peer ID bytes (a multihash).</summary>
    PeerId,

    /// <summary>StoredInfo / RemotePeerInfo protobuf.</summary>
    StoredInfo,

    /// <summary>Connectedness enum: 0 NotConnected, 1 CannotConnect, 2 CanConnect, 3 Connected.</summary>
    Connectedness,

    /// <summary>Unix seconds of the last disconnection, 0 when not applicable.</summary>
    DisconnectTime,
}

/// <summary>The unit of a time column.</summary>
public enum TimestampUnit
{
    /// <summary>Not a time column.</summary>
    None,

    /// <summary>Whole Unix seconds stored as INTEGER (v0.1–v0.4 receive time, Peer disconnectTime).</summary>
    WholeSeconds,

    /// <summary>Unix seconds as REAL with a fraction (v0.5–v0.7).</summary>
    FractionalSeconds,

    /// <summary>Unix nanoseconds as INTEGER (v0.8+).</summary>
    Nanoseconds,
}

/// <summary>SQLite storage classes, as flags so a column can allow several.</summary>
[Flags]
public enum StorageClasses
{
    /// <summary>No storage class.</summary>
    None = 0,

    /// <summary>NULL.</summary>
    Null = 1,

    /// <summary>INTEGER (serial types 1–6, 8, 9).</summary>
    Integer = 2,

    /// <summary>REAL (serial type 7).</summary>
    Real = 4,

    /// <summary>TEXT (odd serial types ≥ 13).</summary>
    Text = 8,

    /// <summary>BLOB (even serial types ≥ 12).</summary>
    Blob = 16,
}

/// <summary>One column of an nwaku table as nwaku declares it.</summary>
/// <param name="Name">Column name as declared.</param>
/// <param name="DeclaredType">Declared type (<c>BLOB</c>, <c>INTEGER</c>, <c>REAL</c>).</param>
/// <param name="DeclaredNotNull">True when the DDL says <c>NOT NULL</c>.</param>
/// <param name="PrimaryKeyOrdinal">1-based position in the primary key, 0 when not part of it.</param>
/// <param name="Role">What the column holds.</param>
/// <param name="Unit">Unit of a time column, <see cref="TimestampUnit.None"/> otherwise.</param>
/// <param name="Meaning">One sentence a person can read.</param>
public sealed record ColumnDefinition(
    string Name,
    string DeclaredType,
    bool DeclaredNotNull,
    int PrimaryKeyOrdinal,
    ColumnRole Role,
    TimestampUnit Unit,
    string Meaning)
{
    /// <summary>
    /// NOT NULL as SQLite enforces it: declared, or part of the primary key of a WITHOUT ROWID table
    /// (sqlite.org/withoutrowid.html §2: NOT NULL is enforced on every PRIMARY KEY column).
    /// </summary>
    public bool IsNotNull => DeclaredNotNull || PrimaryKeyOrdinal > 0;

    /// <summary>
    /// Storage classes nwaku writes into this column. REAL columns also allow INTEGER because SQLite stores
    /// integral REAL values as integers on disk (fileformat2 §2.1, "REAL affinity" optimisation).
    /// </summary>
    public StorageClasses ExpectedStorage
    {
        get
        {
            StorageClasses classes = DeclaredType.ToUpperInvariant() switch
            {
                "INTEGER" => StorageClasses.Integer,
                "REAL" => StorageClasses.Real | StorageClasses.Integer,
                _ => StorageClasses.Blob,
            };
            return IsNotNull ? classes : classes | StorageClasses.Null;
        }
    }
}

/// <summary>An index nwaku creates on a table.</summary>
/// <param name="Name">Index name (<c>i_ts</c>, <c>i_query</c>, <c>i_rt</c>, <c>i_msg</c>).</param>
/// <param name="Columns">Indexed columns in order.</param>
/// <param name="Sql">The statement as nwaku executes it.</param>
/// <param name="CreatedBy">Which release or script creates it.</param>
/// <param name="IsCreatedAtStart">True when the driver runs <c>CREATE INDEX IF NOT EXISTS</c> at every start, so a fresh file has it.</param>
public sealed record IndexDefinition(string Name, IReadOnlyList<string> Columns, string Sql, string CreatedBy, bool IsCreatedAtStart);
