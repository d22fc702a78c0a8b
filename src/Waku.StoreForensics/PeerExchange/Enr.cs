using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Text;
using Google.Protobuf;
using NBitcoin.Secp256k1;
using Org.BouncyCastle.Crypto.Digests;
using Waku.StoreForensics.Net;
using Waku.StoreForensics.Net.Multiformats;
using KeyProtobuf = Waku.StoreForensics.Net.Protos.PublicKey;
using ProtoKeyType = Waku.StoreForensics.Net.Protos.KeyType;

namespace Waku.StoreForensics.PeerExchange;

/// <summary>The Waku capabilities of a node, the bits of the ENR's <c>waku2</c> key (31/WAKU2-ENR; @waku/enr).</summary>
[Flags]
public enum WakuCapabilities
{
    /// <summary>No capability announced.</summary>
    None = 0,

    /// <summary>Bit 0: relay.</summary>
    Relay = 1,

    /// <summary>Bit 1: store.</summary>
    Store = 2,

    /// <summary>Bit 2: filter.</summary>
    Filter = 4,

    /// <summary>Bit 3: light push.</summary>
    Lightpush = 8,

    /// <summary>Bit 4: store sync (nwaku v0.35+).</summary>
    Sync = 16,
}

/// <summary>
/// A verified Ethereum Node Record (EIP-778) with identity scheme <c>v4</c>: the RLP list
/// <c>[signature, seq, k, v, …]</c>, at most 300 bytes, keys in ascending order without repeats, signed with
/// secp256k1 over keccak256(rlp([seq, k, v, …])). Decoding checks all of that and the shape of the fields read
/// here: <c>ip</c>, <c>tcp</c>, <c>ip6</c>, <c>tcp6</c> (EIP-778) and Waku's <c>multiaddrs</c> and <c>waku2</c>
/// (31/WAKU2-ENR).
/// </summary>
public sealed class Enr
{
    /// <summary>The largest record EIP-778 allows, in bytes.</summary>
    public const int MaxRecordLength = 300;

    /// <summary>The prefix of the text form.</summary>
    public const string TextPrefix = "enr:";

    private readonly byte[] _record;
    private readonly byte[] _publicKey;

    private Enr(byte[] record, ulong sequence, byte[] publicKey, IPAddress? ip4, int? tcp, IPAddress? ip6, int? tcp6,
        IReadOnlyList<Multiaddress> multiaddrs, WakuCapabilities? waku2, IReadOnlyList<string> keys)
    {
        _record = record;
        _publicKey = publicKey;
        Sequence = sequence;
        Ip4 = ip4;
        Tcp = tcp;
        Ip6 = ip6;
        Tcp6 = tcp6;
        Multiaddrs = multiaddrs;
        Waku2 = waku2;
        Keys = keys;
        PublicKeyProtobuf = new KeyProtobuf { Type = ProtoKeyType.Secp256K1, Data = ByteString.CopyFrom(publicKey) }.ToByteArray();
        PeerId = PeerId.FromPublicKey(PublicKeyProtobuf);
    }

    /// <summary>The record's sequence number.</summary>
    public ulong Sequence { get; }

    /// <summary>The 33-byte compressed secp256k1 public key (<c>secp256k1</c> key).</summary>
    public ReadOnlySpan<byte> PublicKey => _publicKey;

    /// <summary>The libp2p PublicKey protobuf of the record's key (type secp256k1), as nwaku stores it.</summary>
    public byte[] PublicKeyProtobuf { get; }

    /// <summary>The libp2p peer ID of the record's key (<c>16Uiu2…</c>).</summary>
    public PeerId PeerId { get; }

    /// <summary>The IPv4 address (<c>ip</c>), if present.</summary>
    public IPAddress? Ip4 { get; }

    /// <summary>The TCP port for <see cref="Ip4"/> (<c>tcp</c>), if present.</summary>
    public int? Tcp { get; }

    /// <summary>The IPv6 address (<c>ip6</c>), if present.</summary>
    public IPAddress? Ip6 { get; }

    /// <summary>The TCP port for <see cref="Ip6"/> (<c>tcp6</c>; EIP-778: <c>tcp</c> when absent), if present.</summary>
    public int? Tcp6 { get; }

    /// <summary>Entries of Waku's <c>multiaddrs</c> key that this library decodes, without <c>/p2p</c>; entries that
    /// use a multiaddr protocol outside <see cref="MultiaddrProtocol"/> (e.g. <c>/p2p-circuit</c>) are left out.</summary>
    public IReadOnlyList<Multiaddress> Multiaddrs { get; }

    /// <summary>The <c>waku2</c> capability bits, if present.</summary>
    public WakuCapabilities? Waku2 { get; }

    /// <summary>The record's keys in order (as UTF-8 text; keys that are not UTF-8 as <c>0x…</c>).</summary>
    public IReadOnlyList<string> Keys { get; }

    /// <summary>The raw RLP record, as nwaku stores it in <c>RemotePeerInfo.enr</c>.</summary>
    public ReadOnlySpan<byte> Record => _record;

    /// <summary>Every location the record names, without <c>/p2p</c>: <c>ip</c>+<c>tcp</c>, <c>ip6</c>+<c>tcp6</c>,
    /// then <see cref="Multiaddrs"/>, without repeats.</summary>
    public IReadOnlyList<Multiaddress> ListenAddresses
    {
        get
        {
            var list = new List<Multiaddress>();
            if (Ip4 is { } ip4 && Tcp is { } tcp)
            {
                list.Add(Multiaddress.FromEndPoint(new IPEndPoint(ip4, tcp)));
            }

            if (Ip6 is { } ip6 && (Tcp6 ?? Tcp) is { } tcp6)
            {
                list.Add(Multiaddress.FromEndPoint(new IPEndPoint(ip6, tcp6)));
            }

            foreach (var m in Multiaddrs)
            {
                if (!list.Contains(m))
                {
                    list.Add(m);
                }
            }

            return list;
        }
    }

    /// <summary><see cref="ListenAddresses"/> with <c>/p2p/&lt;peer id&gt;</c>: addresses a libp2p node can dial.</summary>
    public IReadOnlyList<Multiaddress> DialAddresses => ListenAddresses.Select(a => a.WithPeerId(PeerId)).ToArray();

    /// <summary>Decodes and verifies a raw RLP record.</summary>
    /// <exception cref="EnrFormatException">The bytes are not a valid, correctly signed v4 record.</exception>
    public static Enr Decode(ReadOnlySpan<byte> record) =>
        TryDecode(record, out var enr, out var error) ? enr! : throw error!;

    /// <summary>Decodes and verifies a raw RLP record without throwing on bad data.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> record, out Enr? enr, out EnrFormatException? error)
    {
        enr = null;
        error = Read(record, out enr);
        return error is null;
    }

    /// <summary>Parses the text form <c>enr:&lt;base64url&gt;</c>.</summary>
    /// <exception cref="EnrFormatException">The text or the record is invalid.</exception>
    public static Enr Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.StartsWith(TextPrefix, StringComparison.Ordinal))
        {
            throw new EnrFormatException(EnrErrorKind.TextInvalid, "An ENR's text form starts with 'enr:'.");
        }

        string body = text[TextPrefix.Length..];
        // EIP-778: URL-safe base64 without padding.
        if (body.Length > 4 * MaxRecordLength || body.Contains('=', StringComparison.Ordinal) || body.Length % 4 == 1)
        {
            throw new EnrFormatException(EnrErrorKind.TextInvalid, "The text after 'enr:' is not unpadded base64url of at most 300 bytes.");
        }

        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(body.Replace('-', '+').Replace('_', '/') + new string('=', (4 - (body.Length % 4)) % 4));
        }
        catch (FormatException)
        {
            throw new EnrFormatException(EnrErrorKind.TextInvalid, "The text after 'enr:' is not base64url.");
        }

        return Decode(bytes);
    }

    /// <summary>The text form <c>enr:&lt;base64url&gt;</c>.</summary>
    public override string ToString() =>
        TextPrefix + Convert.ToBase64String(_record).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Keccak-256 (the pre-FIPS-202 padding Ethereum uses), from BouncyCastle.</summary>
    internal static byte[] Keccak256(ReadOnlySpan<byte> data)
    {
        var digest = new KeccakDigest(256);
        digest.BlockUpdate(data);
        var hash = new byte[32];
        digest.DoFinal(hash);
        return hash;
    }

    private static EnrFormatException? Read(ReadOnlySpan<byte> record, out Enr? enr)
    {
        enr = null;
        if (record.Length == 0 || record.Length > MaxRecordLength)
        {
            return new EnrFormatException(EnrErrorKind.RecordTooLarge, $"A record holds 1–{MaxRecordLength} bytes; this one {record.Length}.");
        }

        if (!Rlp.TryReadSingle(record, out var top, out var kind, out int at))
        {
            return new EnrFormatException(kind, $"Not canonical RLP at offset {at}: {Describe(kind)}.", at);
        }

        var items = new List<RlpItem>();
        if (!top.IsList)
        {
            return new EnrFormatException(EnrErrorKind.NotAList, "An ENR is an RLP list [signature, seq, k, v, …].", 0);
        }

        if (!Rlp.TryReadChildren(record, top, items, out kind, out at))
        {
            return new EnrFormatException(kind, $"Not canonical RLP inside the list at offset {at}: {Describe(kind)}.", at);
        }

        if (items.Count < 2)
        {
            return new EnrFormatException(EnrErrorKind.NotAList, $"The list has {items.Count} item(s); it needs at least the signature and the sequence number.", top.PayloadOffset);
        }

        if (items.Count % 2 != 0)
        {
            return new EnrFormatException(EnrErrorKind.KeyValueCountOdd, $"{items.Count - 2} items follow the sequence number: not key/value pairs.", items[^1].Offset);
        }

        RlpItem signature = items[0];
        RlpItem seq = items[1];
        if (seq.IsList || seq.PayloadLength > 8)
        {
            return new EnrFormatException(EnrErrorKind.SequenceInvalid, "The sequence number is a 64-bit unsigned integer (a byte string of at most 8 bytes).", seq.Offset);
        }

        // Leading zero bytes are accepted: @waku/enr writes the sequence number as one raw byte (0 → 0x00).
        ulong sequence = 0;
        foreach (byte b in record.Slice(seq.PayloadOffset, seq.PayloadLength))
        {
            sequence = (sequence << 8) | b;
        }

        var values = new Dictionary<string, RlpItem>(StringComparer.Ordinal);
        var keys = new List<string>();
        ReadOnlySpan<byte> previous = default;
        for (int i = 2; i < items.Count; i += 2)
        {
            RlpItem key = items[i];
            if (key.IsList)
            {
                return new EnrFormatException(EnrErrorKind.KeysNotSorted, "A key is a list; keys are byte strings.", key.Offset);
            }

            ReadOnlySpan<byte> keyBytes = record.Slice(key.PayloadOffset, key.PayloadLength);
            if (i > 2)
            {
                int order = keyBytes.SequenceCompareTo(previous);
                if (order == 0)
                {
                    return new EnrFormatException(EnrErrorKind.DuplicateKey, $"Key '{KeyText(keyBytes)}' appears twice.", key.Offset);
                }

                if (order < 0)
                {
                    return new EnrFormatException(EnrErrorKind.KeysNotSorted, $"Key '{KeyText(keyBytes)}' follows '{KeyText(previous)}': keys must be sorted.", key.Offset);
                }
            }

            previous = keyBytes;
            string name = KeyText(keyBytes);
            keys.Add(name);
            values[name] = items[i + 1];
        }

        // EIP-778 "v4" identity scheme.
        if (!values.TryGetValue("id", out var id))
        {
            return new EnrFormatException(EnrErrorKind.IdentitySchemeMissing, "The record has no 'id' key.");
        }

        if (id.IsList || !record.Slice(id.PayloadOffset, id.PayloadLength).SequenceEqual("v4"u8))
        {
            return new EnrFormatException(EnrErrorKind.IdentitySchemeUnsupported, "The identity scheme is not 'v4'.", id.Offset);
        }

        if (!values.TryGetValue("secp256k1", out var keyItem))
        {
            return new EnrFormatException(EnrErrorKind.PublicKeyMissing, "A v4 record has a 'secp256k1' key.");
        }

        ReadOnlySpan<byte> publicKey = record.Slice(keyItem.PayloadOffset, keyItem.PayloadLength);
        if (keyItem.IsList || publicKey.Length != 33 || !ECPubKey.TryCreate(publicKey, Context.Instance, out _, out var point) || point is null)
        {
            return new EnrFormatException(EnrErrorKind.PublicKeyInvalid, $"'secp256k1' is not a 33-byte compressed point on the curve ({keyItem.PayloadLength} bytes).", keyItem.Offset);
        }

        ReadOnlySpan<byte> sig = record.Slice(signature.PayloadOffset, signature.PayloadLength);
        if (signature.IsList || sig.Length != 64 || !SecpECDSASignature.TryCreateFromCompact(sig, out var ecdsa) || ecdsa is null)
        {
            return new EnrFormatException(EnrErrorKind.SignatureMalformed, $"The v4 signature is 64 bytes r ‖ s with r, s below the group order ({signature.PayloadLength} bytes here).", signature.Offset);
        }

        // EIP-778 v4: sign(keccak256(rlp([seq, k, v, …]))) — the record's own list without its first item.
        int contentStart = seq.Offset;
        int contentLength = top.End - contentStart;
        byte[] header = Rlp.ListHeader(contentLength);
        var content = new byte[header.Length + contentLength];
        header.CopyTo(content, 0);
        record.Slice(contentStart, contentLength).CopyTo(content.AsSpan(header.Length));
        // Normalise s: libsecp256k1 verifies low-s only, but a high-s signature is the same ECDSA signature.
        ecdsa.TryNormalize(out var normalised);
        if (!point.SigVerify(normalised ?? ecdsa, Keccak256(content)))
        {
            return new EnrFormatException(EnrErrorKind.SignatureMismatch, "The signature does not verify against the record's secp256k1 key: the record was altered or forged.", signature.Offset);
        }

        var error = ReadFields(record, values, out var ip4, out var tcp, out var ip6, out var tcp6, out var multiaddrs, out var waku2);
        if (error is not null)
        {
            return error;
        }

        enr = new Enr(record.ToArray(), sequence, publicKey.ToArray(), ip4, tcp, ip6, tcp6, multiaddrs, waku2, keys);
        return null;
    }

    private static EnrFormatException? ReadFields(ReadOnlySpan<byte> record, Dictionary<string, RlpItem> values,
        out IPAddress? ip4, out int? tcp, out IPAddress? ip6, out int? tcp6, out IReadOnlyList<Multiaddress> multiaddrs, out WakuCapabilities? waku2)
    {
        ip4 = ip6 = null;
        tcp = tcp6 = null;
        multiaddrs = [];
        waku2 = null;
        foreach (var (name, item) in values)
        {
            if (name is not ("ip" or "ip6" or "tcp" or "tcp6" or "multiaddrs" or "waku2"))
            {
                continue; // other keys (udp, rs, rsv, eth, …) are signed but not read here
            }

            ReadOnlySpan<byte> value = record.Slice(item.PayloadOffset, item.PayloadLength);
            EnrFormatException Invalid(string why) => new(EnrErrorKind.FieldInvalid, $"'{name}': {why}", item.Offset);
            if (item.IsList)
            {
                return Invalid("a list where a byte string belongs");
            }

            switch (name)
            {
                case "ip" when value.Length != 4:
                    return Invalid($"an IPv4 address is 4 bytes, not {value.Length}");
                case "ip":
                    ip4 = new IPAddress(value);
                    break;
                case "ip6" when value.Length != 16:
                    return Invalid($"an IPv6 address is 16 bytes, not {value.Length}");
                case "ip6":
                    ip6 = new IPAddress(value);
                    break;
                case "tcp" or "tcp6":
                    // A big-endian port of 1–2 bytes (leading zero accepted, as for the sequence number); 0 is no port.
                    int port = value.Length switch { 1 => value[0], 2 => BinaryPrimitives.ReadUInt16BigEndian(value), _ => -1 };
                    if (port <= 0)
                    {
                        return Invalid($"a TCP port is 1–65535 in 1–2 bytes ({value.Length} bytes here)");
                    }

                    if (name == "tcp")
                    {
                        tcp = port;
                    }
                    else
                    {
                        tcp6 = port;
                    }

                    break;
                case "waku2" when value.Length > 1:
                    return Invalid($"the capability field is one byte, not {value.Length}");
                case "waku2":
                    waku2 = (WakuCapabilities)(value.Length == 0 ? 0 : value[0]);
                    break;
                case "multiaddrs":
                    if (!TryReadMultiaddrs(value, out var list, out string why))
                    {
                        return Invalid(why);
                    }

                    multiaddrs = list;
                    break;
            }
        }

        return null;
    }

    // 31/WAKU2-ENR: the multiaddrs value is a sequence of (2-byte big-endian length, binary multiaddr) without /p2p.
    private static bool TryReadMultiaddrs(ReadOnlySpan<byte> value, out List<Multiaddress> list, out string why)
    {
        list = [];
        why = "";
        int position = 0;
        while (position < value.Length)
        {
            if (value.Length - position < 2)
            {
                why = $"a length prefix is cut short at byte {position}";
                return false;
            }

            int length = BinaryPrimitives.ReadUInt16BigEndian(value[position..]);
            position += 2;
            if (length == 0 || length > value.Length - position)
            {
                why = $"an entry declares {length} bytes, {value.Length - position} remain";
                return false;
            }

            try
            {
                var address = Multiaddress.FromBytes(value.Slice(position, length));
                if (!list.Contains(address.WithoutPeerId()))
                {
                    list.Add(address.WithoutPeerId());
                }
            }
            catch (UnsupportedMultiaddrProtocolException e) when (e.Code is { } code && MultiaddrRegistry.NameOf(code) is not null)
            {
                // A registered protocol this library does not dial (p2p-circuit, webrtc, …): not an error of the record.
            }
            catch (Exception e) when (e is FormatException or Libp2pException)
            {
                why = $"entry at byte {position} is not a binary multiaddr ({e.Message})";
                return false;
            }

            position += length;
        }

        return true;
    }

    private static string KeyText(ReadOnlySpan<byte> key)
    {
        try
        {
            return new UTF8Encoding(false, true).GetString(key);
        }
        catch (DecoderFallbackException)
        {
            return "0x" + Convert.ToHexStringLower(key);
        }
    }

    private static string Describe(EnrErrorKind kind) => kind switch
    {
        EnrErrorKind.RlpLengthExceedsInput => "a declared length runs past the input or the enclosing list",
        EnrErrorKind.RlpNonCanonical => "a length is not in its shortest form",
        EnrErrorKind.RlpTrailingBytes => "bytes follow the top-level item",
        EnrErrorKind.RlpTooDeep => string.Create(CultureInfo.InvariantCulture, $"lists nest deeper than {Rlp.MaxDepth}"),
        _ => kind.ToString(),
    };
}
