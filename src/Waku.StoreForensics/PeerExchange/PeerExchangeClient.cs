using Google.Protobuf;
using Waku.StoreForensics.Net;
using Waku.StoreForensics.Net.Muxing;
using Waku.StoreForensics.PeerExchange.Protos;

namespace Waku.StoreForensics.PeerExchange;

/// <summary>An ENR the node sent that failed decoding or verification; it is reported, never used.</summary>
/// <param name="Index">Position in the response's <c>peer_infos</c>.</param>
/// <param name="Reason">The class of the defect.</param>
/// <param name="Detail">What exactly is wrong.</param>
/// <param name="RecordHex">The record's bytes in hex (cut at 600 digits).</param>
public sealed record RejectedEnr(int Index, EnrErrorKind Reason, string Detail, string RecordHex);

/// <summary>One peer exchange answer: the verified records and the rejected ones.</summary>
/// <param name="Peers">Records that decoded and whose v4 signature verified, in the order sent.</param>
/// <param name="Rejected">Records that did not.</param>
/// <param name="ResponseBytes">Size of the response frame.</param>
/// <param name="StatusCode">The node's status code; null for nodes before v0.33, which send none.</param>
public sealed record PeerExchangeResult(IReadOnlyList<Enr> Peers, IReadOnlyList<RejectedEnr> Rejected, int ResponseBytes, uint? StatusCode);

/// <summary>
/// Waku peer exchange client (<c>/vac/waku/peer-exchange/2.0.0-alpha1</c>, shared/reference/nwaku-store-format.md §6;
/// <see href="https://github.com/waku-org/specs/blob/master/standards/core/peer-exchange.md">34/WAKU2-PEER-EXCHANGE</see>):
/// one stream per request, the uvarint-length-prefixed <c>PeerExchangeRPC{query{num_peers}}</c> out, one
/// length-prefixed <c>PeerExchangeRPC{response}</c> back, every ENR in it verified.
/// </summary>
public sealed class PeerExchangeClient
{
    /// <summary>The protocol ID.</summary>
    public const string ProtocolId = "/vac/waku/peer-exchange/2.0.0-alpha1";

    private readonly Func<CancellationToken, Task<Stream>> _openStream;

    /// <summary>Creates a client that asks the peer at the other end of <paramref name="connection"/>.</summary>
    public PeerExchangeClient(Libp2pConnection connection, PeerExchangeClientOptions? options = null)
        : this(async ct => await connection.OpenStreamAsync(ProtocolId, ct).ConfigureAwait(false), options)
    {
        ArgumentNullException.ThrowIfNull(connection);
    }

    /// <summary>For tests: <paramref name="openStream"/> returns a stream already negotiated for the protocol.</summary>
    internal PeerExchangeClient(Func<CancellationToken, Task<Stream>> openStream, PeerExchangeClientOptions? options)
    {
        Options = options ?? new PeerExchangeClientOptions();
        Options.Validate();
        _openStream = openStream;
    }

    /// <summary>The client's limits.</summary>
    public PeerExchangeClientOptions Options { get; }

    /// <summary>Asks for up to <paramref name="peerCount"/> peers (nwaku caches at most 60).</summary>
    /// <exception cref="PeerExchangeException">The node refused, broke the protocol, or the limit or timeout was reached.</exception>
    public async Task<PeerExchangeResult> RequestAsync(int peerCount, CancellationToken cancellationToken = default)
    {
        // nwaku v0.33+ answers num_peers = 0 with 400 BAD_REQUEST.
        ArgumentOutOfRangeException.ThrowIfLessThan(peerCount, 1);
        var request = new PeerExchangeRPC { Query = new PeerExchangeQuery { NumPeers = (ulong)peerCount } };
        var (rpc, size) = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (rpc.Response is not { } response)
        {
            throw new PeerExchangeException(PeerExchangeErrorKind.MalformedResponse, $"The answer ({size} bytes) has no response part.");
        }

        uint? status = response.HasStatusCode ? response.StatusCode : null;
        if (status is { } code && code != (uint)PeerExchangeStatusCode.Success)
        {
            string name = Enum.IsDefined(typeof(PeerExchangeStatusCode), (int)Math.Min(code, int.MaxValue)) ? ((PeerExchangeStatusCode)code).ToString() : "unknown code";
            throw new PeerExchangeException(PeerExchangeErrorKind.RemoteStatus, $"The node answered {code} ({name}): {response.StatusDesc}", code, response.HasStatusDesc ? response.StatusDesc : null);
        }

        var peers = new List<Enr>();
        var rejected = new List<RejectedEnr>();
        for (int i = 0; i < response.PeerInfos.Count; i++)
        {
            ReadOnlySpan<byte> record = response.PeerInfos[i].Enr.Span;
            if (Enr.TryDecode(record, out var enr, out var error))
            {
                peers.Add(enr!);
            }
            else
            {
                string hex = Convert.ToHexStringLower(record[..Math.Min(record.Length, 300)]);
                rejected.Add(new RejectedEnr(i, error!.Kind, error.Message, hex));
            }
        }

        return new PeerExchangeResult(peers, rejected, size, status);
    }

    private Task<(PeerExchangeRPC Rpc, int Size)> SendAsync(PeerExchangeRPC request, CancellationToken cancellationToken) =>
        RequestResponse.ExchangeAsync(_openStream, request, PeerExchangeRPC.Parser, Options.MaxResponseBytes, Options.RequestTimeout,
            (failure, message, cause) => new PeerExchangeException(
                failure switch
                {
                    ExchangeFailure.Malformed => PeerExchangeErrorKind.MalformedResponse,
                    ExchangeFailure.Timeout => PeerExchangeErrorKind.Timeout,
                    _ => PeerExchangeErrorKind.Transport,
                },
                message,
                innerException: cause),
            e => e.Reason switch
            {
                Libp2pErrorReason.ProtocolNotSupported => new PeerExchangeException(PeerExchangeErrorKind.ProtocolNotSupported, $"The node does not speak {ProtocolId}.", innerException: e),
                Libp2pErrorReason.MessageTooLarge => new PeerExchangeException(PeerExchangeErrorKind.ResponseTooLarge, $"{e.Message} (MaxResponseBytes)", innerException: e),
                Libp2pErrorReason.Timeout => new PeerExchangeException(PeerExchangeErrorKind.Timeout, e.Message, innerException: e),
                _ => new PeerExchangeException(PeerExchangeErrorKind.Transport, $"{e.Reason}: {e.Message}", innerException: e),
            },
            cancellationToken);
}
