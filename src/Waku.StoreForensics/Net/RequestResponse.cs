using Google.Protobuf;
using Waku.StoreForensics.Net.Muxing;

namespace Waku.StoreForensics.Net;

/// <summary>Why one request/response exchange failed, for the caller to turn into its own typed error.</summary>
internal enum ExchangeFailure
{
    /// <summary>The remote closed the stream without a response.</summary>
    NoAnswer,

    /// <summary>The response is not the expected protobuf.</summary>
    Malformed,

    /// <summary>No response within the request timeout.</summary>
    Timeout,

    /// <summary>The stream broke.</summary>
    Transport,
}

/// <summary>
/// The exchange every Waku request/response protocol uses (store v3, legacy store, peer exchange): a new stream, one
/// length-prefixed protobuf request, write side closed, one length-prefixed response of bounded size, within a timeout.
/// A stream that fails is reset, never left half open.
/// </summary>
internal static class RequestResponse
{
    /// <param name="openStream">Opens a stream already negotiated for the protocol.</param>
    /// <param name="request">The request message.</param>
    /// <param name="parser">Parser of the response message.</param>
    /// <param name="maxResponseBytes">Largest response accepted.</param>
    /// <param name="requestTimeout">Time allowed for the whole exchange.</param>
    /// <param name="fail">Builds the caller's exception for a failure (kind, message, cause).</param>
    /// <param name="fromLibp2p">Builds the caller's exception for a transport error (protocol not supported, too large, …).</param>
    /// <param name="cancellationToken">Cancels the exchange (rethrown as is, not as a timeout).</param>
    public static Task<(T Response, int Size)> ExchangeAsync<T>(
        Func<CancellationToken, Task<Stream>> openStream,
        IMessage request,
        MessageParser<T> parser,
        int maxResponseBytes,
        TimeSpan requestTimeout,
        Func<ExchangeFailure, string, Exception?, Exception> fail,
        Func<Libp2pException, Exception> fromLibp2p,
        CancellationToken cancellationToken)
        where T : IMessage<T> =>
        ExchangeAsync(openStream, request, parser.ParseFrom, typeof(T).Name, maxResponseBytes, requestTimeout, fail, fromLibp2p, cancellationToken);

    /// <summary>The same exchange for a protocol whose response has more than one possible schema (beta3's two
    /// encodings): <paramref name="decode"/> gets the raw frame and may throw <see cref="InvalidProtocolBufferException"/>.</summary>
    public static async Task<(T Response, int Size)> ExchangeAsync<T>(
        Func<CancellationToken, Task<Stream>> openStream,
        IMessage request,
        Func<byte[], T> decode,
        string responseName,
        int maxResponseBytes,
        TimeSpan requestTimeout,
        Func<ExchangeFailure, string, Exception?, Exception> fail,
        Func<Libp2pException, Exception> fromLibp2p,
        CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(requestTimeout);
        Stream? stream = null;
        try
        {
            stream = await openStream(timeout.Token).ConfigureAwait(false);
            await LengthPrefixed.WriteAsync(stream, request.ToByteArray(), timeout.Token).ConfigureAwait(false);
            if (stream is Libp2pStream libp2p)
            {
                await libp2p.CloseWriteAsync(timeout.Token).ConfigureAwait(false);
            }

            var bytes = await LengthPrefixed.ReadAsync(stream, maxResponseBytes, timeout.Token).ConfigureAwait(false)
                ?? throw fail(ExchangeFailure.NoAnswer, "The node closed the stream without answering.", null);
            try
            {
                return (decode(bytes), bytes.Length);
            }
            catch (InvalidProtocolBufferException e)
            {
                throw fail(ExchangeFailure.Malformed, $"The response ({bytes.Length} bytes) is not a {responseName}: {e.Message}", e);
            }
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            (stream as Libp2pStream)?.Reset();
            throw fail(ExchangeFailure.Timeout, $"The node did not answer within {requestTimeout} (RequestTimeout).", e);
        }
        catch (Libp2pException e)
        {
            (stream as Libp2pStream)?.Reset();
            throw fromLibp2p(e);
        }
        catch (IOException e)
        {
            (stream as Libp2pStream)?.Reset();
            throw fail(ExchangeFailure.Transport, e.Message, e);
        }
        finally
        {
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
