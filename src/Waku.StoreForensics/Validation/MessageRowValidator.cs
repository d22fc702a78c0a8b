using System.Globalization;
using System.Text;
using Waku.StoreForensics.Schema;

namespace Waku.StoreForensics.Validation;

/// <summary>Settings of the row validators (<see cref="MessageRowValidator"/>, <see cref="PeerRowValidator"/>).</summary>
public sealed record RowValidationOptions
{
    /// <summary>
    /// The present, as the upper bound of plausible times (plus <see cref="FutureTolerance"/>). Fixed values make
    /// validation reproducible; defaults to the clock at construction.
    /// </summary>
    public DateTimeOffset Now { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>How far after <see cref="Now"/> a time may lie (clock skew between node and analyst).</summary>
    public TimeSpan FutureTolerance { get; init; } = TimeSpan.FromDays(1);
}

/// <summary>What <see cref="MessageRowValidator.Verify"/> found on a row.</summary>
/// <param name="Findings">Findings, empty for a healthy row.</param>
/// <param name="ProvenColumns">Bit i set when column i (declaration order) is proven by a recomputed key that matched.</param>
public sealed record RowVerification(IReadOnlyList<Finding> Findings, ulong ProvenColumns)
{
    /// <summary>True when column <paramref name="column"/> is proven by a key.</summary>
    public bool IsProven(int column) => column is >= 0 and < 64 && (ProvenColumns & (1UL << column)) != 0;
}

/// <summary>
/// Checks one Message row against what nwaku writes for its layout: required values, storage classes, key
/// recomputed from the row, topic syntax, time units and plausibility, version, payload and meta sizes.
/// The row is an array of column values in declaration order (as <c>SELECT *</c> returns it, or
/// <see cref="TableSchema.RecordToDeclaredOrder"/> of a raw record): <see cref="long"/>, <see cref="double"/>,
/// <see cref="string"/>, <see cref="byte"/>[] or null.
/// </summary>
public static class MessageRowValidator
{
    /// <summary>Earliest plausible sender timestamp: before the first nwaku release (v0.1, 2020-11-27).</summary>
    public static readonly DateTimeOffset EarliestPlausibleTime = new(2020, 11, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Largest WakuMessage any nwaku carried: MaxWakuMessageSize 1 MiB (v0.7–v0.23, gossipsub's default before and after).</summary>
    public const int MaxPayloadBytes = 1024 * 1024;

    /// <summary>Default <c>--max-msg-size</c> of v0.24+ (DefaultMaxWakuMessageSize "150KiB", waku_core/message/default_values.nim).</summary>
    public const int DefaultMaxMessageBytesSinceV024 = 150 * 1024;

    /// <summary>MaxMetaAttrLength (waku_core/message/message.nim): decoding fails above it from v0.16.</summary>
    public const int MaxMetaBytes = 64;

    // nwaku v0.23.0 (2023-12-20) is the first release that writes real message hashes (00008 and later).
    private static readonly DateTimeOffset FirstRealMessageHashes = new(2023, 12, 20, 0, 0, 0, TimeSpan.Zero);

    // v0.8 (2022-03-02) wrote receive times as seconds × 1e8; v0.9 (2022-03-29) fixed it. Nodes may have run it later.
    private static readonly DateTimeOffset V08BugStart = new(2022, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset V08BugEnd = new(2023, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Validates <paramref name="row"/> and returns its findings (empty for a healthy row).</summary>
    /// <param name="schema">The layout the row belongs to.</param>
    /// <param name="row">Values in declaration order.</param>
    /// <param name="options">Reproducibility settings; null for defaults.</param>
    /// <param name="where">What the caller knows of the row's place (page, offset); table, key and column are filled in.</param>
    public static IReadOnlyList<Finding> Validate(
        MessageTableSchema schema,
        IReadOnlyList<object?> row,
        RowValidationOptions? options = null,
        Location? where = null) => Verify(schema, row, options, where).Findings;

    /// <summary>
    /// The columns some key of <paramref name="schema"/> can prove (bit i for column i): the keys themselves, content
    /// topic and payload where the layout has a digest, pubsub topic, content topic, payload, meta and the hashed
    /// timestamp where it has a message hash. Any other column (version, a receive time) no row's key ever proves.
    /// </summary>
    public static ulong ProvableColumns(MessageTableSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var roles = new List<ColumnRole>();
        if (schema.IndexOf(ColumnRole.MessageDigest) >= 0)
        {
            roles.AddRange(DigestProves);
        }

        if (schema.IndexOf(ColumnRole.MessageHash) >= 0)
        {
            roles.AddRange(HashProves);
        }

        ulong mask = 0;
        foreach (var role in roles)
        {
            mask |= schema.IndexOf(role) is var i and >= 0 ? 1UL << i : 0;
        }

        return schema.IndexOf(ColumnRole.MessageHash) >= 0 ? mask | (1UL << HashedTimeColumn(schema)) : mask;
    }

    private static readonly ColumnRole[] DigestProves = [ColumnRole.MessageDigest, ColumnRole.ContentTopic, ColumnRole.Payload];
    private static readonly ColumnRole[] HashProves = [ColumnRole.MessageHash, ColumnRole.PubsubTopic, ColumnRole.ContentTopic, ColumnRole.Payload, ColumnRole.Meta];

    /// <summary>The hash covers the WakuMessage timestamp: the 'timestamp' column in S8/S9 (sender time) and in S10/native.</summary>
    private static int HashedTimeColumn(MessageTableSchema schema) =>
        schema.IndexOf(ColumnRole.SenderTime) is var s and >= 0 ? s : schema.IndexOf(ColumnRole.MessageTime);

    /// <summary>
    /// Validates <paramref name="row"/> like <see cref="Validate"/> and also says which columns a recomputed key proves:
    /// a matching digest proves content topic and payload, a matching message hash pubsub topic, content topic, payload,
    /// meta and timestamp. Every other column (the version, a receive time, a topic no matching key covers) holds what
    /// the file says and nothing more.
    /// </summary>
    public static RowVerification Verify(
        MessageTableSchema schema,
        IReadOnlyList<object?> row,
        RowValidationOptions? options = null,
        Location? where = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(row);
        options ??= new RowValidationOptions();
        var findings = new List<Finding>();
        var baseLocation = (where ?? Location.Unknown) with { Table = schema.TableName };

        if (row.Count != schema.Columns.Count)
        {
            findings.Add(new Finding(Severity.Error, FindingKind.RowShapeMismatch, baseLocation,
                $"{row.Count} values, layout {schema.Id} has {schema.Columns.Count} columns",
                "The row does not have the columns of its table's layout: it belongs to another table or its record is damaged."));
            return new RowVerification(findings, 0);
        }

        var ctx = new RowContext(schema, row, options, baseLocation with { Key = FormatKey(schema, row) }, findings);
        for (int i = 0; i < row.Count; i++)
        {
            CheckStorage(ctx, i);
        }

        CheckTopics(ctx);
        CheckTimes(ctx);
        CheckVersion(ctx);
        CheckSizes(ctx);
        CheckKeys(ctx);
        return new RowVerification(findings, ctx.Proven);
    }

    /// <summary>
    /// Validates a raw b-tree record of a WITHOUT ROWID Message table (values in record order: primary key
    /// first), as a page reader decodes it. A record shorter than the layout (S9 rows older than <c>meta</c>)
    /// reads the missing columns as NULL, as SQLite does.
    /// </summary>
    public static IReadOnlyList<Finding> ValidateRecord(
        MessageTableSchema schema,
        IReadOnlyList<object?> recordValues,
        RowValidationOptions? options = null,
        Location? where = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(recordValues);
        if (recordValues.Count > schema.Columns.Count)
        {
            return Validate(schema, recordValues, options, where);
        }

        return Validate(schema, schema.RecordToDeclaredOrder(recordValues), options, where);
    }

    private sealed record RowContext(MessageTableSchema Schema, IReadOnlyList<object?> Row, RowValidationOptions Options, Location Location, List<Finding> Findings)
    {
        /// <summary>Bit i set: column i is proven by a key that matched.</summary>
        public ulong Proven { get; set; }

        public void Prove(params ColumnRole[] roles)
        {
            foreach (var role in roles)
            {
                if (Schema.IndexOf(role) is var i and >= 0)
                {
                    Proven |= 1UL << i;
                }
            }
        }

        public Location At(int column) => Location with { Column = Schema.Columns[column].Name };

        public void Add(Severity severity, FindingKind kind, int column, string evidence, string explanation) =>
            Findings.Add(new Finding(severity, kind, At(column), evidence, explanation));

        public object? Value(ColumnRole role)
        {
            int i = Schema.IndexOf(role);
            return i < 0 ? null : Row[i];
        }
    }

    private static StorageClasses ClassOf(object? value) => value switch
    {
        null => StorageClasses.Null,
        long => StorageClasses.Integer,
        double => StorageClasses.Real,
        string => StorageClasses.Text,
        byte[] => StorageClasses.Blob,
        DBNull => StorageClasses.Null,
        _ => throw new ArgumentException($"Unsupported column value type {value.GetType()}: use long, double, string, byte[] or null.", nameof(value)),
    };

    private static void CheckStorage(RowContext ctx, int i)
    {
        ColumnDefinition column = ctx.Schema.Columns[i];
        StorageClasses actual = ClassOf(ctx.Row[i]);
        if (actual == StorageClasses.Null)
        {
            if (column.IsNotNull)
            {
                ctx.Add(Severity.Error, FindingKind.RequiredValueMissing, i, "NULL",
                    column.PrimaryKeyOrdinal > 0
                        ? $"{column.Name} is part of the primary key of a WITHOUT ROWID table: SQLite cannot have stored NULL there."
                        : $"{column.Name} is declared NOT NULL: nwaku always writes it, SQLite refuses NULL.");
            }

            return;
        }

        // A key proves the bytes of a value, not how the record header stores them: a storage class nwaku never writes
        // is damage (one header byte) or another program's row, and either way not the row nwaku wrote.
        if (ctx.Row[i] is byte[] { Length: 0 })
        {
            ctx.Add(Severity.Error, FindingKind.UnexpectedStorageClass, i, $"zero-length BLOB in {column.Name}",
                "nwaku binds an empty value with a NULL pointer, which SQLite stores as NULL: a zero-length BLOB was written by another program or its record header was damaged.");
            return;
        }

        if ((column.ExpectedStorage & actual) != 0)
        {
            return;
        }

        if (actual == StorageClasses.Text && column.Role is ColumnRole.ContentTopic or ColumnRole.PubsubTopic or ColumnRole.Payload or ColumnRole.Meta)
        {
            ctx.Add(Severity.Error, FindingKind.TextInBlobColumn, i, $"TEXT value in BLOB column {column.Name}",
                "nwaku binds this column as BLOB and never writes TEXT: another program wrote the row (a TEXT value never equals a BLOB, so nwaku's queries will not find it) or its record header was damaged.");
            return;
        }

        ctx.Add(Severity.Error, FindingKind.UnexpectedStorageClass, i, $"{actual} in {column.DeclaredType} column {column.Name}",
            $"nwaku never writes a {actual} value into {column.Name}: the value was changed or the record is damaged.");
    }

    private static byte[]? Bytes(object? value) => value switch
    {
        byte[] b => b,
        string s => Encoding.UTF8.GetBytes(s),
        _ => null,
    };

    private static void CheckTopics(RowContext ctx)
    {
        int content = ctx.Schema.IndexOf(ColumnRole.ContentTopic);
        if (ctx.Row[content] is long integerTopic && ctx.Schema.Id == MessageSchemaId.S0)
        {
            if (integerTopic is < 0 or > uint.MaxValue)
            {
                ctx.Add(Severity.Error, FindingKind.UnexpectedStorageClass, content, $"contentTopic = {integerTopic}",
                    "v0.1–v0.2 content topics are uint32 values; this one is out of range.");
            }
        }
        else if (Decode(ctx, content) is { } contentTopic)
        {
            CheckContentTopic(ctx, content, contentTopic);
        }

        int pubsub = ctx.Schema.IndexOf(ColumnRole.PubsubTopic);
        if (pubsub >= 0 && Decode(ctx, pubsub) is { } pubsubTopic)
        {
            CheckPubsubTopic(ctx, pubsub, pubsubTopic);
        }
    }

    // Returns the topic text, or null (with a finding when the bytes are garbled).
    private static string? Decode(RowContext ctx, int column)
    {
        byte[]? bytes = ctx.Row[column] as byte[];
        if (ctx.Row[column] is string text)
        {
            bytes = Encoding.UTF8.GetBytes(text);
        }

        if (bytes is null)
        {
            return null;
        }

        string decoded;
        try
        {
            decoded = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            ctx.Add(Severity.Error, FindingKind.TopicGarbled, column, $"0x{Convert.ToHexStringLower(bytes.AsSpan(0, Math.Min(bytes.Length, 48)))}",
                "The topic is not valid UTF-8: nwaku stores topic strings, so these bytes were damaged.");
            return null;
        }

        int control = decoded.AsSpan().IndexOfAnyInRange('\u0000', '\u001f');
        if (control < 0)
        {
            control = decoded.AsSpan().IndexOfAnyInRange('\u007f', '\u009f');
        }

        if (control >= 0)
        {
            ctx.Add(Severity.Error, FindingKind.TopicGarbled, column, $"control character U+{(int)decoded[control]:X4} at {control} in \"{Printable(decoded)}\"",
                "The topic contains control characters no Waku application uses: the bytes were damaged.");
            return null;
        }

        return decoded;
    }

    private static string Printable(string s) =>
        string.Concat(s.Take(80).Select(c => char.IsControl(c) ? '·' : c));

    private static void CheckContentTopic(RowContext ctx, int column, string topic)
    {
        // RFC 23 as nwaku parses it (waku_core/topics/content_topic.nim, v0.19+): "/app/version/name/encoding",
        // or with the autosharding generation prefix "/gen/app/version/name/encoding", every part non-empty.
        // The archive stores whatever the relay delivered, so a non-conforming topic is unusual, not damage.
        string? problem = null;
        if (topic.Length == 0)
        {
            problem = "empty";
        }
        else if (topic[0] != '/')
        {
            problem = "does not start with '/'";
        }
        else
        {
            string[] parts = topic[1..].Split('/');
            if (parts.Length is not (4 or 5))
            {
                problem = $"{parts.Length} parts, expected /app/version/name/encoding or /gen/app/version/name/encoding";
            }
            else if (Array.FindIndex(parts, p => p.Length == 0) is var empty and >= 0)
            {
                problem = $"part {empty + 1} is empty";
            }
            else if (parts.Length == 5 && !int.TryParse(parts[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
            {
                problem = "generation is not a number";
            }
        }

        if (problem is not null)
        {
            ctx.Add(Severity.Warning, FindingKind.ContentTopicUnconventional, column, $"\"{Printable(topic)}\": {problem}",
                "The content topic does not follow RFC 23 (/app/version/name/encoding): nwaku stores it as-is, but filters and autosharding cannot use it.");
        }
    }

    private static void CheckPubsubTopic(RowContext ctx, int column, string topic)
    {
        // waku_core/topics/pubsub_topic.nim: static sharding "/waku/2/rs/<cluster>/<shard>" with uint16 parts (v0.16+);
        // before v0.31 any other "/waku/2/<name>" was a named topic (default "/waku/2/default-waku/proto").
        const string StaticPrefix = "/waku/2/rs/";
        if (topic.StartsWith(StaticPrefix, StringComparison.Ordinal))
        {
            string[] parts = topic[StaticPrefix.Length..].Split('/');
            if (parts.Length != 2 || !IsUInt16(parts[0]) || !IsUInt16(parts[1]))
            {
                ctx.Add(Severity.Warning, FindingKind.PubsubTopicInvalid, column, $"\"{Printable(topic)}\"",
                    "A static-sharding topic needs /waku/2/rs/<cluster>/<shard> with both numbers in 0–65535; nwaku v0.16+ cannot parse this one.");
            }

            return;
        }

        if (topic.StartsWith("/waku/2/", StringComparison.Ordinal) && topic.Length > "/waku/2/".Length)
        {
            return;
        }

        ctx.Add(Severity.Warning, FindingKind.PubsubTopicUnconventional, column, $"\"{Printable(topic)}\"",
            "The pubsub topic is outside the /waku/2/ namespace that nwaku's relay uses.");
    }

    private static bool IsUInt16(string s) =>
        s.Length is > 0 and <= 5 && s.All(char.IsAsciiDigit) && int.Parse(s, CultureInfo.InvariantCulture) <= ushort.MaxValue;

    private static void CheckTimes(RowContext ctx)
    {
        for (int i = 0; i < ctx.Schema.Columns.Count; i++)
        {
            ColumnDefinition column = ctx.Schema.Columns[i];
            if (column.Unit == TimestampUnit.None)
            {
                continue;
            }

            double? value = ctx.Row[i] switch
            {
                long l => l,
                double d => d,
                _ => null,
            };
            if (value is { } v)
            {
                CheckTime(ctx, i, column, v);
            }
        }
    }

    private static readonly (string Name, double PerSecond)[] Units =
    [
        ("seconds", 1), ("milliseconds", 1e3), ("microseconds", 1e6), ("nanoseconds", 1e9),
    ];

    // A node-clock time cannot predate the code that created the table: 'messages' appeared in nwaku on
    // 2020-11-16 (#268), 'Message' on 2021-04-27 (#492); no migration ever carried rows from one to the other.
    private static readonly DateTimeOffset MessagesTableIntroduced = new(2020, 11, 16, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset MessageTableIntroduced = new(2021, 4, 27, 0, 0, 0, TimeSpan.Zero);

    // Whose clock a time column shows in this row. The sender's: the WakuMessage timestamp; storedAt when it copied
    // a non-zero sender time (v0.12+ archive: storedAt = msg.timestamp if > 0); S10 timestamps of rows inherited from
    // S9 (they carry an id digest). Node-checked: everything else (v0.31+ inserts are within now ± 20 s).
    private static bool IsSenderClock(RowContext ctx, ColumnDefinition column, double value)
    {
        switch (column.Role)
        {
            case ColumnRole.SenderTime:
                return true;
            case ColumnRole.ReceiveTime when ctx.Schema.Id is >= MessageSchemaId.S6 and <= MessageSchemaId.S9:
                return ctx.Value(ColumnRole.SenderTime) is long sender && sender == value;
            case ColumnRole.MessageTime when ctx.Schema.Id == MessageSchemaId.S10:
                return ctx.Value(ColumnRole.MessageDigest) is byte[];
            default:
                return false;
        }
    }

    private static void CheckTime(RowContext ctx, int i, ColumnDefinition column, double value)
    {
        bool isSender = IsSenderClock(ctx, column, value);
        if (value == 0 && column.Role == ColumnRole.SenderTime)
        {
            return; // nwaku stores 0 when the sender set no timestamp, and for rows migrated from v0.4
        }

        double perSecond = column.Unit == TimestampUnit.Nanoseconds ? 1e9 : 1;
        string unitName = column.Unit == TimestampUnit.Nanoseconds ? "nanoseconds" : "seconds";
        DateTimeOffset earliestTime = isSender ? EarliestPlausibleTime
            : ctx.Schema.Id == MessageSchemaId.S0 ? MessagesTableIntroduced : MessageTableIntroduced;
        double earliest = earliestTime.ToUnixTimeSeconds();
        double latest = (ctx.Options.Now + ctx.Options.FutureTolerance).ToUnixTimeSeconds();
        bool Plausible(double seconds) => seconds >= earliest && seconds <= latest;

        double asSeconds = value / perSecond;
        if (Plausible(asSeconds))
        {
            if (column.Unit == TimestampUnit.WholeSeconds && value != Math.Floor(value))
            {
                ctx.Add(Severity.Error, FindingKind.UnexpectedStorageClass, i, $"{column.Name} = {value}", "This column holds whole seconds; a fraction means the value was altered.");
            }

            return;
        }

        string evidence = $"{column.Name} = {value.ToString("R", CultureInfo.InvariantCulture)} ({Describe(asSeconds)} if read as {unitName})";
        if (column.Unit == TimestampUnit.Nanoseconds && column.Role == ColumnRole.ReceiveTime && !isSender
            && asSeconds * 10 >= V08BugStart.ToUnixTimeSeconds() && asSeconds * 10 < V08BugEnd.ToUnixTimeSeconds())
        {
            ctx.Add(Severity.Info, FindingKind.TimestampFromV08Bug, i, evidence,
                $"nwaku v0.8 wrote receive times as seconds × 1e8 (getNanosecondTime bug): this row was stored at {Describe(asSeconds * 10)}.");
            return;
        }

        Severity severity = isSender ? Severity.Warning : Severity.Error;
        foreach ((string name, double other) in Units)
        {
            if (other != perSecond && value > 0 && Plausible(value / other))
            {
                ctx.Add(severity, FindingKind.TimestampUnitMismatch, i, evidence,
                    $"The value is a plausible time only in {name} ({Describe(value / other)}), but {column.Name} holds {unitName} in layout {ctx.Schema.Id}"
                    + (isSender ? ": a sender that used the wrong unit, or a damaged value." : ": the value is damaged or was written by another tool."));
                return;
            }
        }

        bool future = asSeconds > latest;
        string when = future ? "in the future" : $"before {earliestTime:yyyy-MM-dd}";
        ctx.Add(severity, FindingKind.TimestampImplausible, i, evidence,
            isSender
                ? $"The sender's timestamp is {when}: a client clock or a damaged value (nwaku accepted any sender time before v0.14)."
                : $"The node's time is {when}, {(future ? "which no clock shows" : $"before nwaku created this table")}: the value is damaged.");
    }

    private static string Describe(double unixSeconds)
    {
        if (double.IsNaN(unixSeconds) || unixSeconds < -62_135_596_800 || unixSeconds > 253_402_300_799)
        {
            return "out of calendar range";
        }

        return DateTimeOffset.FromUnixTimeMilliseconds((long)(unixSeconds * 1000)).ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
    }

    private static void CheckVersion(RowContext ctx)
    {
        int i = ctx.Schema.IndexOf(ColumnRole.Version);
        if (i < 0 || ctx.Row[i] is not long version)
        {
            return;
        }

        if (version is < 0 or > uint.MaxValue)
        {
            ctx.Add(Severity.Error, FindingKind.VersionInvalid, i, $"version = {version}", "WakuMessage.version is a uint32; this value cannot come from a message.");
        }
        else if (version > 1)
        {
            ctx.Add(Severity.Info, FindingKind.VersionInvalid, i, $"version = {version}", "Unusual WakuMessage version (0 unencrypted, 1 26/WAKU-PAYLOAD are the common ones).");
        }
    }

    private static void CheckSizes(RowContext ctx)
    {
        int payload = ctx.Schema.IndexOf(ColumnRole.Payload);
        if (Bytes(ctx.Row[payload]) is { Length: > MaxPayloadBytes } p)
        {
            ctx.Add(Severity.Error, FindingKind.PayloadTooLarge, payload, $"{p.Length} bytes",
                "Larger than 1 MiB, the most any nwaku release relayed or stored (MaxWakuMessageSize, gossipsub default): the length is damaged.");
        }

        int meta = ctx.Schema.IndexOf(ColumnRole.Meta);
        if (meta >= 0 && Bytes(ctx.Row[meta]) is { Length: > MaxMetaBytes } m)
        {
            ctx.Add(Severity.Error, FindingKind.MetaTooLarge, meta, $"{m.Length} bytes",
                "meta is limited to 64 bytes (MaxMetaAttrLength): nwaku refuses to decode such a message, so it cannot have stored it.");
        }
    }

    private static void CheckKeys(RowContext ctx)
    {
        MessageTableSchema schema = ctx.Schema;
        int contentIndex = schema.IndexOf(ColumnRole.ContentTopic);
        object? contentValue = ctx.Row[contentIndex];
        byte[] payload = Bytes(ctx.Value(ColumnRole.Payload)) ?? [];

        int digestIndex = schema.IndexOf(ColumnRole.MessageDigest);
        bool digestMatches = false;
        if (digestIndex >= 0 && ctx.Row[digestIndex] is byte[] storedDigest && CheckKeyLength(ctx, digestIndex, storedDigest))
        {
            byte[]? expected = schema.Id == MessageSchemaId.S0
                ? contentValue is long t and >= 0 and <= uint.MaxValue ? NwakuMessageKeys.ComputeDigestOfIntegerTopic((uint)t, payload) : null
                : Bytes(contentValue) is { } topic ? NwakuMessageKeys.ComputeDigest(topic, payload) : null;
            if (expected is not null)
            {
                digestMatches = expected.AsSpan().SequenceEqual(storedDigest);
                if (digestMatches)
                {
                    ctx.Prove(DigestProves);
                }
                else
                {
                    ctx.Add(Severity.Error, FindingKind.KeyMismatch, digestIndex,
                        $"stored {Convert.ToHexStringLower(storedDigest)}, computed {Convert.ToHexStringLower(expected)}",
                        schema.Id == MessageSchemaId.S0
                            ? "id must be SHA-256(uint32-LE(contentTopic) ‖ payload): topic, payload or id was altered."
                            : "id must be SHA-256(contentTopic ‖ payload): the topic, the payload or the id was altered.");
                }
            }
        }

        int hashIndex = schema.IndexOf(ColumnRole.MessageHash);
        if (hashIndex < 0 || ctx.Row[hashIndex] is not byte[] storedHash || !CheckKeyLength(ctx, hashIndex, storedHash))
        {
            return;
        }

        int timeIndex = HashedTimeColumn(schema);
        if (Bytes(ctx.Value(ColumnRole.PubsubTopic)) is not { } pubsub || Bytes(contentValue) is not { } content || ctx.Row[timeIndex] is not long timestamp)
        {
            return;
        }

        byte[] meta = Bytes(ctx.Value(ColumnRole.Meta)) ?? [];
        byte[] expectedHash = NwakuMessageKeys.ComputeMessageHash(pubsub, payload, content, meta, timestamp);
        if (expectedHash.AsSpan().SequenceEqual(storedHash))
        {
            ctx.Prove(HashProves);
            ctx.Proven |= 1UL << timeIndex;
            return;
        }

        string evidence = $"stored {Convert.ToHexStringLower(storedHash)}, computed {Convert.ToHexStringLower(expectedHash)}";
        int storedAtIndex = schema.IndexOf(ColumnRole.ReceiveTime) is var r and >= 0 ? r : schema.IndexOf(ColumnRole.MessageTime);
        // Only rows that came through the legacy path (they carry an id digest) can predate real hashes: the v0.35+
        // archive leaves id NULL and always writes the real hash.
        bool beforeRealHashes = digestIndex >= 0 && ctx.Row[digestIndex] is byte[]
            && ctx.Row[storedAtIndex] is long storedAt && storedAt > 0
            && storedAt < FirstRealMessageHashes.ToUnixTimeMilliseconds() * 1_000_000;
        if (beforeRealHashes)
        {
            ctx.Add(Severity.Info, FindingKind.KeyNotReproducible, hashIndex, evidence,
                $"Stored before nwaku v0.23: migration 00008 gave it randomblob(32) as messageHash{(digestMatches ? " (its id digest is intact)" : "")}.");
            return;
        }

        ctx.Add(Severity.Error, FindingKind.KeyMismatch, hashIndex, evidence,
            schema.Id switch
            {
                MessageSchemaId.S8 => "messageHash differs from SHA-256(pubsubTopic ‖ payload ‖ contentTopic ‖ meta ‖ timestamp): altered, or the message had a meta that S8 does not store, or 00008 gave it random bytes after a late upgrade.",
                MessageSchemaId.S10 => "messageHash differs from SHA-256(pubsubTopic ‖ payload ‖ contentTopic ‖ meta ‖ timestamp): altered, or the row predates 00010 and its sender timestamp differed from storedAt.",
                _ => "messageHash differs from SHA-256(pubsubTopic ‖ payload ‖ contentTopic ‖ meta ‖ timestamp): a topic, the payload, meta, timestamp or the hash was altered.",
            });
    }

    private static bool CheckKeyLength(RowContext ctx, int column, byte[] key)
    {
        if (key.Length == NwakuMessageKeys.KeyLength)
        {
            return true;
        }

        ctx.Add(Severity.Error, FindingKind.KeyMalformed, column, $"{key.Length} bytes: {Convert.ToHexStringLower(key.AsSpan(0, Math.Min(key.Length, 40)))}",
            $"{ctx.Schema.Columns[column].Name} is always a 32-byte SHA-256 value in nwaku: this one was truncated or overwritten.");
        return false;
    }

    /// <summary>The primary key of <paramref name="row"/> as text: hex for blobs, decimal for integers, parts joined by '|'.</summary>
    public static string FormatKey(TableSchema schema, IReadOnlyList<object?> row)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(row);
        return string.Join('|', schema.PrimaryKey.Select(name =>
        {
            int i = schema.IndexOf(name);
            return i < row.Count ? row[i] switch
            {
                null => "NULL",
                byte[] b => Convert.ToHexStringLower(b),
                long l => l.ToString(CultureInfo.InvariantCulture),
                double d => d.ToString("R", CultureInfo.InvariantCulture),
                string s => s,
                var other => other.ToString() ?? "",
            } : "?";
        }));
    }
}
