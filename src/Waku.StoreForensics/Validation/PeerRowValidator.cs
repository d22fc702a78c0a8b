using System.Globalization;
using System.Text;
using Google.Protobuf;
using Waku.StoreForensics.Net;
using Waku.StoreForensics.Net.Crypto;
using Waku.StoreForensics.Net.Multiformats;
using Waku.StoreForensics.Schema;
using Waku.StoreForensics.Schema.Protos;
using KeyProtobuf = Waku.StoreForensics.Net.Protos.PublicKey;

namespace Waku.StoreForensics.Validation;

/// <summary>
/// Checks one row of nwaku's Peer table against what nwaku writes (nwaku-store-format.md §3): the peer ID is a
/// libp2p peer ID whose key type is known, <c>storedInfo</c> decodes with the protobuf of the row's era
/// (<c>StoredInfo</c> to v0.22, <c>RemotePeerInfo</c> from v0.23), every multiaddr decodes, the stored public key
/// derives to the peer ID, connectedness is a known value and the disconnect time is a plausible time in seconds.
/// The row is an array of column values in declaration order: <see cref="long"/>, <see cref="double"/>,
/// <see cref="string"/>, <see cref="byte"/>[] or null.
/// </summary>
/// <remarks>
/// The era of a row: the two-column layout is v0.23+; in the four-column layout v0.3–v0.22 fill connectedness and
/// disconnectTime, while v0.23+ write only <c>(peerId, storedInfo)</c> and leave both NULL.
/// </remarks>
public static class PeerRowValidator
{
    /// <summary>Earliest plausible disconnect time: before nwaku's first release, and before any peer storage.</summary>
    public static readonly DateTimeOffset EarliestPlausibleDisconnectTime = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);

    // Google.Protobuf's InvalidProtocolBufferException.TruncatedMessage text (stable since 2015); the exception has no code.
    private const string TruncatedMessageText = "input ended unexpectedly in the middle of a field";

    /// <summary>Validates <paramref name="row"/> and returns its findings (empty for a healthy row).</summary>
    /// <param name="schema">The layout the row belongs to.</param>
    /// <param name="row">Values in declaration order.</param>
    /// <param name="options">Reproducibility settings; null for defaults.</param>
    /// <param name="where">What the caller knows of the row's place (page, offset); table, key and column are filled in.</param>
    public static IReadOnlyList<Finding> Validate(
        PeerTableSchema schema,
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
            return findings;
        }

        var ctx = new RowContext(schema, row, options, baseLocation with { Key = MessageRowValidator.FormatKey(schema, row) }, findings);
        for (int i = 0; i < row.Count; i++)
        {
            CheckStorage(ctx, i);
        }

        PeerId? peerId = CheckPeerId(ctx);
        bool fieldsInProtobuf = CheckEraColumns(ctx);
        if (ctx.Value(ColumnRole.StoredInfo) is byte[] storedInfo)
        {
            CheckStoredInfo(ctx, storedInfo, peerId, fieldsInProtobuf);
        }

        return findings;
    }

    /// <summary>
    /// Validates a raw b-tree record of the WITHOUT ROWID Peer table (values in record order: primary key first),
    /// as a page reader decodes it.
    /// </summary>
    public static IReadOnlyList<Finding> ValidateRecord(
        PeerTableSchema schema,
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

    private sealed record RowContext(PeerTableSchema Schema, IReadOnlyList<object?> Row, RowValidationOptions Options, Location Location, List<Finding> Findings)
    {
        public void Add(Severity severity, FindingKind kind, ColumnRole role, string evidence, string explanation) =>
            Findings.Add(new Finding(severity, kind, Location with { Column = Schema.Columns[Schema.IndexOf(role)].Name }, evidence, explanation));

        public object? Value(ColumnRole role)
        {
            int i = Schema.IndexOf(role);
            return i < 0 ? null : Row[i];
        }
    }

    /// <summary>The values of a storedInfo of either era, as the validator needs them.</summary>
    private sealed record DecodedStoredInfo(
        byte[]? PeerId,
        IReadOnlyList<byte[]> Addresses,
        IReadOnlyList<byte[]> Protocols,
        byte[]? PublicKey,
        uint? Connectedness,
        ulong? DisconnectTime,
        int SizeWithoutUnknownFields);

    private static StorageClasses ClassOf(object? value) => value switch
    {
        null or DBNull => StorageClasses.Null,
        long => StorageClasses.Integer,
        double => StorageClasses.Real,
        string => StorageClasses.Text,
        byte[] => StorageClasses.Blob,
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
                ctx.Add(Severity.Error, FindingKind.RequiredValueMissing, column.Role, "NULL",
                    $"{column.Name} is the primary key of a WITHOUT ROWID table: SQLite cannot have stored NULL there.");
            }
            else if (column.Role == ColumnRole.StoredInfo)
            {
                ctx.Add(Severity.Error, FindingKind.RequiredValueMissing, column.Role, "NULL",
                    "nwaku writes storedInfo with every peer: without it the peer has no addresses, protocols or key.");
            }

            return;
        }

        if ((column.ExpectedStorage & actual) == 0)
        {
            ctx.Add(Severity.Error, FindingKind.UnexpectedStorageClass, column.Role, $"{actual} in {column.DeclaredType} column {column.Name}",
                $"nwaku binds {column.Name} as {column.DeclaredType} and never writes a {actual} value: the value was changed or the record is damaged.");
        }
    }

    /// <summary>The peer ID of the row, or null when the column is not one (reported).</summary>
    private static PeerId? CheckPeerId(RowContext ctx)
    {
        if (ctx.Value(ColumnRole.PeerId) is not byte[] bytes)
        {
            return null;
        }

        if (!PeerId.TryFromBytes(bytes, out PeerId? peerId))
        {
            ctx.Add(Severity.Error, FindingKind.PeerIdMalformed, ColumnRole.PeerId, $"{bytes.Length} bytes: {Hex(bytes, 48)}",
                $"Not a libp2p peer ID: {WhyNotAMultihash(bytes)}. nwaku writes the peer ID's multihash (39 bytes for its secp256k1 identity).");
            return null;
        }

        if (peerId!.TryGetInlinePublicKey() is { } inlineKey && !IsValidPublicKey(inlineKey, out string problem))
        {
            ctx.Add(Severity.Error, FindingKind.PeerIdKeyInvalid, ColumnRole.PeerId, $"{problem}; key bytes {Hex(inlineKey, 48)}",
                "The peer ID inlines a public key that is not a valid libp2p key: no peer can have this ID, so the bytes were altered.");
            return null;
        }

        return peerId;
    }

    // multihash: varint code, varint length, digest (peer-ids.md: identity for keys ≤ 42 bytes, else sha2-256).
    private static string WhyNotAMultihash(byte[] bytes)
    {
        if (bytes.Length == 0)
        {
            return "the value is empty";
        }

        if (!UVarint.TryRead(bytes, out ulong code, out int n) || !UVarint.TryRead(bytes.AsSpan(n), out ulong length, out int m))
        {
            return "the multihash header (code and length varints) is cut short or not minimal";
        }

        long actual = bytes.Length - n - m;
        return code switch
        {
            0x00 when length is 0 or > 42 => $"an identity multihash must hold 1–42 bytes of public key, this one declares {length}",
            0x12 when length != 32 => $"a sha2-256 multihash holds 32 bytes, this one declares {length}",
            0x00 or 0x12 when (ulong)actual < length => $"the multihash declares {length} bytes but only {actual} follow: the value was cut short",
            0x00 or 0x12 => $"the multihash declares {length} bytes but {actual} follow: bytes were appended",
            _ => $"multihash code 0x{code:x} is neither identity (0x00) nor sha2-256 (0x12)",
        };
    }

    private static bool IsValidPublicKey(byte[] protobuf, out string problem)
    {
        KeyProtobuf key;
        try
        {
            key = KeyProtobuf.Parser.ParseFrom(protobuf);
        }
        catch (InvalidProtocolBufferException e)
        {
            problem = $"not a PublicKey protobuf ({e.Message})";
            return false;
        }

        if (!key.HasType || !key.HasData)
        {
            problem = key.HasType ? "the PublicKey protobuf has no Data" : "the PublicKey protobuf has no Type";
            return false;
        }

        return PublicKeyVerifier.IsWellFormed(key, out problem);
    }

    /// <summary>
    /// Checks the connectedness and disconnectTime columns; returns true when the row is of the v0.23+ era (both
    /// absent or NULL), whose storedInfo carries them instead.
    /// </summary>
    private static bool CheckEraColumns(RowContext ctx)
    {
        int connectednessColumn = ctx.Schema.IndexOf(ColumnRole.Connectedness);
        int timeColumn = ctx.Schema.IndexOf(ColumnRole.DisconnectTime);
        if (connectednessColumn < 0 || timeColumn < 0)
        {
            return true;
        }

        object? connectedness = ctx.Row[connectednessColumn];
        object? time = ctx.Row[timeColumn];
        if (connectedness is null && time is null)
        {
            return true;
        }

        if (connectedness is null || time is null)
        {
            ColumnRole missing = connectedness is null ? ColumnRole.Connectedness : ColumnRole.DisconnectTime;
            ctx.Add(Severity.Error, FindingKind.RequiredValueMissing, missing, "NULL while the other of connectedness/disconnectTime is set",
                "nwaku v0.3–v0.22 write both connectedness and disconnectTime, v0.23+ neither: one NULL alone means the row was altered.");
        }

        if (connectedness is long c)
        {
            CheckConnectedness(ctx, ColumnRole.Connectedness, c, "connectedness column");
        }

        if (time is long t)
        {
            CheckDisconnectTime(ctx, ColumnRole.DisconnectTime, t, "disconnectTime column");
        }

        return false;
    }

    private static void CheckConnectedness(RowContext ctx, ColumnRole role, long value, string source)
    {
        if (value is >= 0 and < 4)
        {
            return;
        }

        ctx.Add(Severity.Error, FindingKind.ConnectednessUnknown, role, $"{source} = {value}",
            "Connectedness is 0 NotConnected, 1 CannotConnect, 2 CanConnect or 3 Connected in every nwaku release: this value was altered.");
    }

    private static void CheckDisconnectTime(RowContext ctx, ColumnRole role, decimal value, string source)
    {
        if (value == 0)
        {
            return; // nwaku writes 0 when the peer never disconnected
        }

        decimal earliest = EarliestPlausibleDisconnectTime.ToUnixTimeSeconds();
        decimal latest = (ctx.Options.Now + ctx.Options.FutureTolerance).ToUnixTimeSeconds();
        string evidence = $"{source} = {value.ToString(CultureInfo.InvariantCulture)} ({Describe(value)} if read as seconds)";
        if (value >= earliest && value <= latest)
        {
            return;
        }

        foreach ((string unit, decimal perSecond) in new[] { ("milliseconds", 1e3m), ("microseconds", 1e6m), ("nanoseconds", 1e9m) })
        {
            if (value > 0 && value / perSecond >= earliest && value / perSecond <= latest)
            {
                ctx.Add(Severity.Error, FindingKind.DisconnectTimeImplausible, role, evidence,
                    $"The value is a plausible time only in {unit} ({Describe(value / perSecond)}); nwaku writes the disconnect time in Unix seconds: it was written by another tool or altered.");
                return;
            }
        }

        string when = value < 0 ? "negative" : value > latest ? "in the future" : $"before {EarliestPlausibleDisconnectTime:yyyy}";
        ctx.Add(Severity.Error, FindingKind.DisconnectTimeImplausible, role, evidence,
            $"The disconnect time is {when}: nwaku writes the node clock's Unix seconds when a peer disconnects (0 otherwise), so the value is damaged.");
    }

    private static string Describe(decimal unixSeconds) =>
        unixSeconds < -62_135_596_800m || unixSeconds > 253_402_300_799m
            ? "out of calendar range"
            : DateTimeOffset.FromUnixTimeSeconds((long)unixSeconds).ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static void CheckStoredInfo(RowContext ctx, byte[] bytes, PeerId? peerId, bool fieldsInProtobuf)
    {
        string era = fieldsInProtobuf ? "RemotePeerInfo (v0.23+)" : "StoredInfo (v0.3–v0.22)";
        DecodedStoredInfo info;
        try
        {
            info = fieldsInProtobuf ? FromRemotePeerInfo(bytes) : FromStoredInfo(bytes);
        }
        catch (InvalidProtocolBufferException e) when (e.Message.Contains(TruncatedMessageText, StringComparison.Ordinal))
        {
            ctx.Add(Severity.Error, FindingKind.StoredInfoTruncated, ColumnRole.StoredInfo, $"{bytes.Length} bytes end inside a field: {Hex(bytes, 24)}…",
                $"storedInfo is cut short: it ends in the middle of a {era} field (or a field's length was damaged). nwaku's decoder fails on it when the node loads its peers.");
            return;
        }
        catch (InvalidProtocolBufferException e)
        {
            ctx.Add(Severity.Error, FindingKind.StoredInfoMalformed, ColumnRole.StoredInfo, $"{bytes.Length} bytes: {e.Message}",
                $"storedInfo is not a {era} protobuf: the bytes were overwritten. nwaku's decoder fails on it when the node loads its peers.");
            return;
        }

        var missing = new List<string>();
        if (info.PeerId is null)
        {
            missing.Add("peer_id (1)");
        }

        if (info.PublicKey is null)
        {
            missing.Add("public_key (4)");
        }

        if (fieldsInProtobuf && info.Connectedness is null)
        {
            missing.Add("connectedness (5)");
        }

        if (fieldsInProtobuf && info.DisconnectTime is null)
        {
            missing.Add("disconnect_time (6)");
        }

        if (missing.Count > 0)
        {
            ctx.Add(Severity.Error, FindingKind.StoredInfoFieldMissing, ColumnRole.StoredInfo, $"{bytes.Length} bytes without {string.Join(", ", missing)}",
                $"nwaku writes every {era} field: a value without these was cut short at a field boundary, or altered.");
        }

        if (info.SizeWithoutUnknownFields < bytes.Length)
        {
            ctx.Add(Severity.Warning, FindingKind.StoredInfoUnexpectedFields, ColumnRole.StoredInfo,
                $"{bytes.Length - info.SizeWithoutUnknownFields} of {bytes.Length} bytes are not fields of {era}",
                fieldsInProtobuf
                    ? "storedInfo holds fields nwaku never wrote (or a field twice): the bytes were altered."
                    : "storedInfo holds fields the v0.3–v0.22 protobuf lacks, yet the connectedness columns say the row predates v0.23: the row was altered.");
        }

        if (info.PeerId is { } storedPeerId && ctx.Value(ColumnRole.PeerId) is byte[] column && !storedPeerId.AsSpan().SequenceEqual(column))
        {
            ctx.Add(Severity.Error, FindingKind.StoredInfoPeerIdMismatch, ColumnRole.StoredInfo,
                $"storedInfo peer_id {Hex(storedPeerId, 48)}, column {Hex(column, 48)}",
                "nwaku writes the same peer ID into the peerId column and into storedInfo: one of them was altered.");
        }

        CheckPublicKey(ctx, info.PublicKey, peerId);
        for (int i = 0; i < info.Addresses.Count; i++)
        {
            CheckAddress(ctx, i, info.Addresses[i]);
        }

        foreach (byte[] protocol in info.Protocols)
        {
            CheckProtocolId(ctx, protocol);
        }

        if (info.Connectedness is { } connectedness)
        {
            CheckConnectedness(ctx, ColumnRole.StoredInfo, connectedness, "storedInfo connectedness (5)");
        }

        if (info.DisconnectTime is { } time)
        {
            CheckDisconnectTime(ctx, ColumnRole.StoredInfo, time, "storedInfo disconnect_time (6)");
        }
    }

    private static DecodedStoredInfo FromStoredInfo(byte[] bytes)
    {
        StoredInfo message = StoredInfo.Parser.ParseFrom(bytes);
        int known = StoredInfo.Parser.WithDiscardUnknownFields(true).ParseFrom(bytes).CalculateSize();
        return new DecodedStoredInfo(
            message.HasPeerId ? message.PeerId.ToByteArray() : null,
            message.Addrs.Select(a => a.ToByteArray()).ToList(),
            message.Protos.Select(p => p.ToByteArray()).ToList(),
            message.HasPublicKey ? message.PublicKey.ToByteArray() : null,
            null,
            null,
            known);
    }

    private static DecodedStoredInfo FromRemotePeerInfo(byte[] bytes)
    {
        RemotePeerInfo message = RemotePeerInfo.Parser.ParseFrom(bytes);
        int known = RemotePeerInfo.Parser.WithDiscardUnknownFields(true).ParseFrom(bytes).CalculateSize();
        return new DecodedStoredInfo(
            message.HasPeerId ? message.PeerId.ToByteArray() : null,
            message.Addrs.Select(a => a.ToByteArray()).ToList(),
            message.Protos.Select(p => p.ToByteArray()).ToList(),
            message.HasPublicKey ? message.PublicKey.ToByteArray() : null,
            message.HasConnectedness ? message.Connectedness : null,
            message.HasDisconnectTime ? message.DisconnectTime : null,
            known);
    }

    private static void CheckPublicKey(RowContext ctx, byte[]? publicKey, PeerId? peerId)
    {
        if (publicKey is null)
        {
            return;
        }

        if (!IsValidPublicKey(publicKey, out string problem))
        {
            ctx.Add(Severity.Error, FindingKind.PublicKeyInvalid, ColumnRole.StoredInfo, $"public_key (4): {problem}; bytes {Hex(publicKey, 48)}",
                "The stored public key is not a valid libp2p key: nwaku (v0.23+ refuses to encode such a peer) cannot have written it, so it was altered.");
            return;
        }

        // peer-ids.md: the peer ID is the multihash of the PublicKey protobuf (identity up to 42 bytes, else sha2-256).
        PeerId derived = PeerId.FromPublicKey(publicKey);
        if (peerId is not null && !derived.Equals(peerId))
        {
            ctx.Add(Severity.Error, FindingKind.PublicKeyMismatch, ColumnRole.StoredInfo, $"key derives to {derived}, row is {peerId}",
                "The public key in storedInfo belongs to another peer than the row's peer ID: the key or the ID was altered, and nwaku would dial with a key the peer cannot prove.");
        }
    }

    private static void CheckAddress(RowContext ctx, int index, byte[] address)
    {
        try
        {
            Multiaddress.FromBytes(address);
        }
        catch (UnsupportedMultiaddrProtocolException e) when (e.Code is { } code && MultiaddrRegistry.NameOf(code) is { } name)
        {
            ctx.Add(Severity.Info, FindingKind.MultiaddrNotChecked, ColumnRole.StoredInfo, $"addrs[{index}] uses /{name} (code {code}): {Hex(address, 48)}",
                $"The address uses /{name}, a registered multiaddr protocol this tool does not decode: it was checked only up to that component.");
        }
        catch (UnsupportedMultiaddrProtocolException e)
        {
            ctx.Add(Severity.Error, FindingKind.MultiaddrInvalid, ColumnRole.StoredInfo, $"addrs[{index}] has protocol code {e.Protocol}: {Hex(address, 48)}",
                "No multiaddr protocol has this code: the address bytes are garbled and nwaku cannot dial the peer at this address.");
        }
        catch (FormatException e)
        {
            ctx.Add(Severity.Error, FindingKind.MultiaddrInvalid, ColumnRole.StoredInfo, $"addrs[{index}]: {e.Message} {Hex(address, 48)}",
                "The address does not decode as a binary multiaddr (cut short or an invalid value): the bytes are garbled and nwaku cannot dial the peer at this address.");
        }
    }

    private static void CheckProtocolId(RowContext ctx, byte[] protocol)
    {
        string? text = null;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(protocol);
        }
        catch (DecoderFallbackException)
        {
            // reported below
        }

        if (text is not null && text.StartsWith('/') && !text.Any(char.IsControl))
        {
            return;
        }

        ctx.Add(Severity.Warning, FindingKind.ProtocolIdGarbled, ColumnRole.StoredInfo, $"protos (3) entry {Hex(protocol, 48)}",
            "libp2p protocol IDs are printable paths such as /vac/waku/store/2.0.0-beta3: this entry is garbled bytes.");
    }

    private static string Hex(byte[] bytes, int max) =>
        bytes.Length <= max ? Convert.ToHexStringLower(bytes) : Convert.ToHexStringLower(bytes.AsSpan(0, max)) + "…";
}
