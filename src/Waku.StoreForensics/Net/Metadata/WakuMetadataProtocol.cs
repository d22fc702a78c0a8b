using Google.Protobuf;
using Waku.StoreForensics.Net.Muxing;
using Waku.StoreForensics.Net.Protos;

namespace Waku.StoreForensics.Net.Metadata;

/// <summary>The cluster and shards this node announces on <c>/vac/waku/metadata/1.0.0</c>.</summary>
/// <param name="ClusterId">Cluster ID (1 for The Waku Network); nwaku v0.25+ drops peers of another cluster.</param>
/// <param name="Shards">Shards we claim; nwaku v0.25–v0.36 wants at least one in common.</param>
public sealed record WakuMetadataOptions(uint ClusterId, IReadOnlyList<uint> Shards);

/// <summary>
/// nwaku's metadata protocol (shared/reference/nwaku-store-format.md §6): a length-prefixed request, answered
/// with our cluster ID and shards, written both unpacked (field 2) and packed (field 3) as nwaku v0.27+ does.
/// </summary>
internal static class WakuMetadataProtocol
{
    public const string ProtocolId = "/vac/waku/metadata/1.0.0";

    /// <summary>nwaku reads at most 1024 bytes of a metadata message.</summary>
    public const int MaxMessageLength = 1024;

    public static async Task AnswerAsync(Libp2pStream stream, WakuMetadataOptions options, CancellationToken cancellationToken)
    {
        var request = await LengthPrefixed.ReadAsync(stream, MaxMessageLength, cancellationToken).ConfigureAwait(false);
        if (request is not null)
        {
            try
            {
                WakuMetadataRequest.Parser.ParseFrom(request);
            }
            catch (InvalidProtocolBufferException e)
            {
                throw new Libp2pException(Libp2pErrorReason.MalformedMessage, "Malformed metadata request.", e);
            }
        }

        await LengthPrefixed.WriteAsync(stream, BuildResponse(options).ToByteArray(), cancellationToken).ConfigureAwait(false);
        await stream.CloseWriteAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Asks the remote for its cluster and shards, announcing ours; reads fields as nwaku does (3, else 2).</summary>
    public static async Task<WakuMetadataOptions> AskAsync(Libp2pStream stream, WakuMetadataOptions ours, CancellationToken cancellationToken)
    {
        var request = new WakuMetadataRequest { ClusterId = ours.ClusterId };
        request.Shards.AddRange(ours.Shards);
        request.ShardsPacked.AddRange(ours.Shards);
        await LengthPrefixed.WriteAsync(stream, request.ToByteArray(), cancellationToken).ConfigureAwait(false);
        await stream.CloseWriteAsync(cancellationToken).ConfigureAwait(false);
        var bytes = await LengthPrefixed.ReadAsync(stream, MaxMessageLength, cancellationToken).ConfigureAwait(false)
            ?? throw new Libp2pException(Libp2pErrorReason.MalformedMessage, "The peer closed the metadata stream without an answer.");
        WakuMetadataResponse response;
        try
        {
            response = WakuMetadataResponse.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new Libp2pException(Libp2pErrorReason.MalformedMessage, "Malformed metadata response.", e);
        }

        if (!response.HasClusterId)
        {
            throw new Libp2pException(Libp2pErrorReason.MalformedMessage, "The metadata response has no cluster ID.");
        }

        var shards = response.ShardsPacked.Count > 0 ? response.ShardsPacked : response.Shards;
        return new WakuMetadataOptions(response.ClusterId, shards.ToArray());
    }

    public static WakuMetadataResponse BuildResponse(WakuMetadataOptions options)
    {
        var response = new WakuMetadataResponse { ClusterId = options.ClusterId };
        response.Shards.AddRange(options.Shards);
        response.ShardsPacked.AddRange(options.Shards);
        return response;
    }
}
