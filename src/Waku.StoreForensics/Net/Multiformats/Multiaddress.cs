using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Waku.StoreForensics.Net.Multiformats;

/// <summary>The multiaddr protocols this library reads and writes (codes from multiformats/multicodec).</summary>
public enum MultiaddrProtocol
{
    /// <summary><c>/ip4/a.b.c.d</c>, code 4.</summary>
    Ip4 = 4,

    /// <summary><c>/tcp/port</c>, code 6.</summary>
    Tcp = 6,

    /// <summary><c>/ip6/addr</c>, code 41.</summary>
    Ip6 = 41,

    /// <summary><c>/dns/name</c>, code 53.</summary>
    Dns = 53,

    /// <summary><c>/dns4/name</c>, code 54.</summary>
    Dns4 = 54,

    /// <summary><c>/dns6/name</c>, code 55.</summary>
    Dns6 = 55,

    /// <summary><c>/p2p/peer-id</c> (formerly <c>/ipfs</c>), code 421.</summary>
    P2p = 421,

    /// <summary><c>/ws</c>, code 477.</summary>
    Ws = 477,

    /// <summary><c>/wss</c>, code 478.</summary>
    Wss = 478,
}

/// <summary>One protocol of a multiaddress with its value (empty for <c>ws</c>/<c>wss</c>).</summary>
/// <param name="Protocol">The protocol.</param>
/// <param name="Value">The value in text form: an address, a port, a DNS name or a base58 peer ID.</param>
public sealed record MultiaddrComponent(MultiaddrProtocol Protocol, string Value);

/// <summary>
/// A self-describing network address (multiformats/multiaddr), e.g.
/// <c>/ip4/127.0.0.1/tcp/60000/p2p/16Uiu2HAm…</c>, with its text and binary forms.
/// </summary>
public sealed class Multiaddress : IEquatable<Multiaddress>
{
    private Multiaddress(IReadOnlyList<MultiaddrComponent> components)
    {
        Components = components;
    }

    /// <summary>The protocols in order.</summary>
    public IReadOnlyList<MultiaddrComponent> Components { get; }

    /// <summary>The peer ID of the trailing <c>/p2p</c> component, if any.</summary>
    public PeerId? PeerId =>
        Components.LastOrDefault(c => c.Protocol == MultiaddrProtocol.P2p) is { } p ? PeerId.Parse(p.Value) : null;

    /// <summary>Parses the text form. Throws <see cref="FormatException"/> on malformed text and
    /// <see cref="UnsupportedMultiaddrProtocolException"/> for protocols outside the supported set.</summary>
    public static Multiaddress Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0 || text[0] != '/')
        {
            throw new FormatException("A multiaddress starts with '/'.");
        }

        var parts = text.Split('/');
        var components = new List<MultiaddrComponent>();
        int i = 1;
        // A trailing '/' is tolerated, as go-multiaddr does.
        int end = parts[^1].Length == 0 ? parts.Length - 1 : parts.Length;
        while (i < end)
        {
            string name = parts[i++];
            MultiaddrProtocol protocol = name switch
            {
                "ip4" => MultiaddrProtocol.Ip4,
                "ip6" => MultiaddrProtocol.Ip6,
                "tcp" => MultiaddrProtocol.Tcp,
                "dns" => MultiaddrProtocol.Dns,
                "dns4" => MultiaddrProtocol.Dns4,
                "dns6" => MultiaddrProtocol.Dns6,
                "p2p" or "ipfs" => MultiaddrProtocol.P2p,
                "ws" => MultiaddrProtocol.Ws,
                "wss" => MultiaddrProtocol.Wss,
                _ => throw new UnsupportedMultiaddrProtocolException(name, null),
            };
            if (protocol is MultiaddrProtocol.Ws or MultiaddrProtocol.Wss)
            {
                components.Add(new MultiaddrComponent(protocol, ""));
                continue;
            }

            if (i >= end)
            {
                throw new FormatException($"Multiaddress protocol '{name}' needs a value.");
            }

            string value = parts[i++];
            components.Add(new MultiaddrComponent(protocol, NormaliseValue(protocol, value)));
        }

        if (components.Count == 0)
        {
            throw new FormatException("Empty multiaddress.");
        }

        return new Multiaddress(components);
    }

    /// <summary>Parses without throwing on malformed or unsupported input.</summary>
    public static bool TryParse(string text, out Multiaddress? address)
    {
        try
        {
            address = Parse(text);
            return true;
        }
        catch (Exception e) when (e is FormatException or Libp2pException)
        {
            address = null;
            return false;
        }
    }

    /// <summary>Decodes the binary form. Throws <see cref="FormatException"/> on truncated or invalid bytes and
    /// <see cref="UnsupportedMultiaddrProtocolException"/> naming any unsupported protocol code.</summary>
    public static Multiaddress FromBytes(ReadOnlySpan<byte> bytes)
    {
        var components = new List<MultiaddrComponent>();
        int offset = 0;
        while (offset < bytes.Length)
        {
            if (!UVarint.TryRead(bytes[offset..], out ulong code, out int n))
            {
                throw new FormatException($"Bad protocol varint at offset {offset}.");
            }

            offset += n;
            var protocol = (MultiaddrProtocol)code;
            switch (protocol)
            {
                case MultiaddrProtocol.Ip4:
                    Need(bytes, offset, 4);
                    components.Add(new(protocol, new IPAddress(bytes.Slice(offset, 4)).ToString()));
                    offset += 4;
                    break;
                case MultiaddrProtocol.Ip6:
                    Need(bytes, offset, 16);
                    components.Add(new(protocol, new IPAddress(bytes.Slice(offset, 16)).ToString()));
                    offset += 16;
                    break;
                case MultiaddrProtocol.Tcp:
                    Need(bytes, offset, 2);
                    components.Add(new(protocol, BinaryPrimitives.ReadUInt16BigEndian(bytes[offset..]).ToString(CultureInfo.InvariantCulture)));
                    offset += 2;
                    break;
                case MultiaddrProtocol.Dns or MultiaddrProtocol.Dns4 or MultiaddrProtocol.Dns6 or MultiaddrProtocol.P2p:
                    if (!UVarint.TryRead(bytes[offset..], out ulong len, out int ln) || len > 1024)
                    {
                        throw new FormatException($"Bad length varint at offset {offset}.");
                    }

                    offset += ln;
                    Need(bytes, offset, (int)len);
                    var value = bytes.Slice(offset, (int)len);
                    offset += (int)len;
                    string text = protocol == MultiaddrProtocol.P2p
                        ? PeerId.FromBytes(value.ToArray()).ToString()
                        : NormaliseValue(protocol, Encoding.UTF8.GetString(value));
                    components.Add(new(protocol, text));
                    break;
                case MultiaddrProtocol.Ws or MultiaddrProtocol.Wss:
                    components.Add(new(protocol, ""));
                    break;
                default:
                    throw new UnsupportedMultiaddrProtocolException(code.ToString(CultureInfo.InvariantCulture), (long)code);
            }
        }

        if (components.Count == 0)
        {
            throw new FormatException("Empty multiaddress.");
        }

        return new Multiaddress(components);
    }

    /// <summary>Encodes the binary form (protocol varint, then the value as multiaddr's table says).</summary>
    public byte[] ToBytes()
    {
        var output = new List<byte>();
        foreach (var (protocol, value) in Components)
        {
            output.AddRange(UVarint.Encode((ulong)protocol));
            switch (protocol)
            {
                case MultiaddrProtocol.Ip4 or MultiaddrProtocol.Ip6:
                    output.AddRange(IPAddress.Parse(value).GetAddressBytes());
                    break;
                case MultiaddrProtocol.Tcp:
                    ushort port = ushort.Parse(value, CultureInfo.InvariantCulture);
                    output.Add((byte)(port >> 8));
                    output.Add((byte)port);
                    break;
                case MultiaddrProtocol.Dns or MultiaddrProtocol.Dns4 or MultiaddrProtocol.Dns6:
                    var name = Encoding.UTF8.GetBytes(value);
                    output.AddRange(UVarint.Encode((ulong)name.Length));
                    output.AddRange(name);
                    break;
                case MultiaddrProtocol.P2p:
                    var id = PeerId.Parse(value).Bytes;
                    output.AddRange(UVarint.Encode((ulong)id.Length));
                    output.AddRange(id);
                    break;
            }
        }

        return output.ToArray();
    }

    /// <summary>Returns this address with a trailing <c>/p2p/&lt;peer&gt;</c> (replacing an existing one).</summary>
    public Multiaddress WithPeerId(PeerId peer)
    {
        var components = Components.Where(c => c.Protocol != MultiaddrProtocol.P2p).ToList();
        components.Add(new(MultiaddrProtocol.P2p, peer.ToString()));
        return new Multiaddress(components);
    }

    /// <summary>Returns this address without its <c>/p2p/&lt;peer&gt;</c> component (the location part nwaku stores).</summary>
    internal Multiaddress WithoutPeerId() =>
        new(Components.Where(c => c.Protocol != MultiaddrProtocol.P2p).ToList());

    /// <summary>The host (IP literal or DNS name) and TCP port, when the address is TCP-dialable.</summary>
    public bool TryGetTcpEndpoint(out string host, out int port, out AddressFamily family)
    {
        host = "";
        port = 0;
        family = AddressFamily.Unspecified;
        if (Components.Count < 2 || Components[1].Protocol != MultiaddrProtocol.Tcp)
        {
            return false;
        }

        if (Components.Any(c => c.Protocol is MultiaddrProtocol.Ws or MultiaddrProtocol.Wss))
        {
            return false;
        }

        var first = Components[0];
        host = first.Value;
        port = int.Parse(Components[1].Value, CultureInfo.InvariantCulture);
        family = first.Protocol switch
        {
            MultiaddrProtocol.Ip4 or MultiaddrProtocol.Dns4 => AddressFamily.InterNetwork,
            MultiaddrProtocol.Ip6 or MultiaddrProtocol.Dns6 => AddressFamily.InterNetworkV6,
            MultiaddrProtocol.Dns => AddressFamily.Unspecified,
            _ => AddressFamily.Unknown,
        };
        return family != AddressFamily.Unknown;
    }

    /// <summary>Builds <c>/ip4|ip6/addr/tcp/port</c> for an IP endpoint.</summary>
    public static Multiaddress FromEndPoint(IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        var ip = endPoint.Address.IsIPv4MappedToIPv6 ? endPoint.Address.MapToIPv4() : endPoint.Address;
        var family = ip.AddressFamily == AddressFamily.InterNetwork ? MultiaddrProtocol.Ip4 : MultiaddrProtocol.Ip6;
        return new Multiaddress([new(family, ip.ToString()), new(MultiaddrProtocol.Tcp, endPoint.Port.ToString(CultureInfo.InvariantCulture))]);
    }

    /// <summary>The canonical text form.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        foreach (var (protocol, value) in Components)
        {
            sb.Append('/').Append(Name(protocol));
            if (value.Length > 0)
            {
                sb.Append('/').Append(value);
            }
        }

        return sb.ToString();
    }

    /// <inheritdoc />
    public bool Equals(Multiaddress? other) => other is not null && ToString() == other.ToString();

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Multiaddress);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(ToString());

    private static string Name(MultiaddrProtocol p) => p switch
    {
        MultiaddrProtocol.Ip4 => "ip4",
        MultiaddrProtocol.Ip6 => "ip6",
        MultiaddrProtocol.Tcp => "tcp",
        MultiaddrProtocol.Dns => "dns",
        MultiaddrProtocol.Dns4 => "dns4",
        MultiaddrProtocol.Dns6 => "dns6",
        MultiaddrProtocol.P2p => "p2p",
        MultiaddrProtocol.Ws => "ws",
        MultiaddrProtocol.Wss => "wss",
        _ => throw new ArgumentOutOfRangeException(nameof(p)),
    };

    private static void Need(ReadOnlySpan<byte> bytes, int offset, int count)
    {
        if (count < 0 || offset + count > bytes.Length)
        {
            throw new FormatException($"Multiaddress truncated at offset {offset}: need {count} bytes, {bytes.Length - offset} left.");
        }
    }

    private static string NormaliseValue(MultiaddrProtocol protocol, string value)
    {
        switch (protocol)
        {
            case MultiaddrProtocol.Ip4:
                if (!IPAddress.TryParse(value, out var v4) || v4.AddressFamily != AddressFamily.InterNetwork || value.Count(c => c == '.') != 3)
                {
                    throw new FormatException($"'{value}' is not an IPv4 address.");
                }

                return v4.ToString();
            case MultiaddrProtocol.Ip6:
                if (!IPAddress.TryParse(value, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6 || v6.ScopeId != 0)
                {
                    throw new FormatException($"'{value}' is not an IPv6 address.");
                }

                return v6.ToString();
            case MultiaddrProtocol.Tcp:
                if (!ushort.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out ushort port))
                {
                    throw new FormatException($"'{value}' is not a TCP port.");
                }

                return port.ToString(CultureInfo.InvariantCulture);
            case MultiaddrProtocol.Dns or MultiaddrProtocol.Dns4 or MultiaddrProtocol.Dns6:
                if (value.Length == 0 || value.Length > 253 || value.Contains('/'))
                {
                    throw new FormatException($"'{value}' is not a DNS name.");
                }

                return value;
            case MultiaddrProtocol.P2p:
                return PeerId.Parse(value).ToString();
            default:
                return value;
        }
    }
}
