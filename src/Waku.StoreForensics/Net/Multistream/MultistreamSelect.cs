using System.Buffers;
using System.Text;
using Waku.StoreForensics.Net.Multiformats;

namespace Waku.StoreForensics.Net.Multistream;

/// <summary>
/// multistream-select 1.0 (multiformats/multistream-select; libp2p connections/README.md "Protocol Negotiation"):
/// each message is a uvarint length, the UTF-8 text and a trailing '\n'; <c>na</c> declines, <c>ls</c> lists.
/// </summary>
internal static class MultistreamSelect
{
    public const string ProtocolId = "/multistream/1.0.0";
    public const string NotAvailable = "na";
    public const string List = "ls";

    /// <summary>The largest message either side accepts (64 KiB, as go/js/nim do).</summary>
    public const int MaxMessageLength = 64 * 1024;

    /// <summary>How many proposals a listener answers before giving up on a peer that never picks one.</summary>
    public const int MaxProposals = 64;

    /// <summary>Proposes <paramref name="protocols"/> in order; returns the first one the listener accepts.</summary>
    public static async Task<string> SelectAsync(Stream stream, IReadOnlyList<string> protocols, CancellationToken cancellationToken)
    {
        if (protocols.Count == 0)
        {
            throw new ArgumentException("At least one protocol is needed.", nameof(protocols));
        }

        // Send the header and the first proposal together to save a round trip (go/js do the same).
        await WriteMessagesAsync(stream, [ProtocolId, protocols[0]], cancellationToken).ConfigureAwait(false);
        string header = await ReadMessageAsync(stream, cancellationToken).ConfigureAwait(false);
        if (header != ProtocolId)
        {
            throw new Libp2pException(Libp2pErrorReason.MalformedMessage, $"Expected multistream header, got '{Printable(header)}'.");
        }

        for (int i = 0; i < protocols.Count; i++)
        {
            if (i > 0)
            {
                await WriteMessagesAsync(stream, [protocols[i]], cancellationToken).ConfigureAwait(false);
            }

            string answer = await ReadMessageAsync(stream, cancellationToken).ConfigureAwait(false);
            if (answer == protocols[i])
            {
                return answer;
            }

            if (answer != NotAvailable)
            {
                throw new Libp2pException(Libp2pErrorReason.MalformedMessage, $"Proposed '{protocols[i]}', listener answered '{Printable(answer)}'.");
            }
        }

        throw new Libp2pException(Libp2pErrorReason.ProtocolNotSupported, $"The remote supports none of: {string.Join(", ", protocols)}.");
    }

    /// <summary>Answers proposals until one is in <paramref name="supported"/>; unknown ones get <c>na</c>.</summary>
    public static async Task<string> ListenAsync(Stream stream, Func<string, bool> supported, Func<IEnumerable<string>> list, CancellationToken cancellationToken)
    {
        string header = await ReadMessageAsync(stream, cancellationToken).ConfigureAwait(false);
        if (header != ProtocolId)
        {
            throw new Libp2pException(Libp2pErrorReason.MalformedMessage, $"Expected multistream header, got '{Printable(header)}'.");
        }

        await WriteMessagesAsync(stream, [ProtocolId], cancellationToken).ConfigureAwait(false);
        for (int i = 0; i < MaxProposals; i++)
        {
            string proposal = await ReadMessageAsync(stream, cancellationToken).ConfigureAwait(false);
            if (proposal == List)
            {
                await WriteListAsync(stream, list(), cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (supported(proposal))
            {
                await WriteMessagesAsync(stream, [proposal], cancellationToken).ConfigureAwait(false);
                return proposal;
            }

            await WriteMessagesAsync(stream, [NotAvailable], cancellationToken).ConfigureAwait(false);
        }

        throw new Libp2pException(Libp2pErrorReason.ProtocolNotSupported, $"The remote proposed {MaxProposals} protocols without agreeing on one.");
    }

    public static byte[] Encode(string message)
    {
        int textLength = Encoding.UTF8.GetByteCount(message) + 1;
        var buffer = new byte[UVarint.GetLength((ulong)textLength) + textLength];
        int n = UVarint.Write(buffer, (ulong)textLength);
        Encoding.UTF8.GetBytes(message, buffer.AsSpan(n));
        buffer[^1] = (byte)'\n';
        return buffer;
    }

    public static async Task WriteMessagesAsync(Stream stream, IEnumerable<string> messages, CancellationToken cancellationToken)
    {
        var bytes = messages.SelectMany(Encode).ToArray();
        await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads one message without consuming any byte after it.</summary>
    public static async Task<string> ReadMessageAsync(Stream stream, CancellationToken cancellationToken)
    {
        ulong length = await UVarint.ReadAsync(stream, cancellationToken).ConfigureAwait(false)
            ?? throw new Libp2pException(Libp2pErrorReason.ConnectionClosed, "The stream closed during protocol negotiation.");
        if (length > MaxMessageLength)
        {
            throw new Libp2pException(Libp2pErrorReason.MessageTooLarge, $"multistream message of {length} bytes exceeds {MaxMessageLength}.");
        }

        if (length == 0)
        {
            throw new Libp2pException(Libp2pErrorReason.MalformedMessage, "Empty multistream message.");
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)length);
        try
        {
            await stream.ReadExactlyAsync(buffer.AsMemory(0, (int)length), cancellationToken).ConfigureAwait(false);
            if (buffer[(int)length - 1] != (byte)'\n')
            {
                throw new Libp2pException(Libp2pErrorReason.MalformedMessage, "multistream message does not end with a newline.");
            }

            return Encoding.UTF8.GetString(buffer, 0, (int)length - 1);
        }
        catch (EndOfStreamException e)
        {
            throw new Libp2pException(Libp2pErrorReason.ConnectionClosed, "The stream closed inside a multistream message.", e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task WriteListAsync(Stream stream, IEnumerable<string> protocols, CancellationToken cancellationToken)
    {
        // Response to "ls": one message whose body is each protocol as its own varint-prefixed line, then '\n'.
        var body = protocols.SelectMany(Encode).Append((byte)'\n').ToArray();
        if (body.Length > MaxMessageLength)
        {
            throw new Libp2pException(Libp2pErrorReason.MessageTooLarge, "Protocol list exceeds the multistream limit.");
        }

        var message = UVarint.Encode((ulong)body.Length).Concat(body).ToArray();
        await stream.WriteAsync(message, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static string Printable(string s) =>
        new(s.Take(80).Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
