using System.Diagnostics;
using System.Security.Cryptography;
using Waku.StoreForensics.Net.Muxing;

namespace Waku.StoreForensics.Net.Ping;

/// <summary>libp2p ping/ping.md: the dialer sends 32 random bytes, the listener echoes them, repeatedly.</summary>
internal static class PingProtocol
{
    public const string ProtocolId = "/ipfs/ping/1.0.0";
    public const int PayloadLength = 32;

    /// <summary>Echoes until the dialer closes; a partial payload ends the stream.</summary>
    public static async Task AnswerAsync(Libp2pStream stream, TimeSpan idleTimeout, CancellationToken cancellationToken)
    {
        var buffer = new byte[PayloadLength];
        while (true)
        {
            // A dialer may keep the stream for repeated pings, but not sit on it idle forever.
            using var round = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            round.CancelAfter(idleTimeout);
            int got = await stream.ReadAtLeastAsync(buffer, PayloadLength, throwOnEndOfStream: false, round.Token).ConfigureAwait(false);
            if (got < PayloadLength)
            {
                break;
            }

            await stream.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        }

        await stream.CloseWriteAsync(cancellationToken).ConfigureAwait(false);
    }

    public static async Task<TimeSpan> PingAsync(Libp2pStream stream, CancellationToken cancellationToken)
    {
        var payload = RandomNumberGenerator.GetBytes(PayloadLength);
        var echo = new byte[PayloadLength];
        long started = Stopwatch.GetTimestamp();
        await stream.WriteAsync(payload, cancellationToken).ConfigureAwait(false);
        try
        {
            await stream.ReadExactlyAsync(echo, cancellationToken).ConfigureAwait(false);
        }
        catch (EndOfStreamException e)
        {
            throw new Libp2pException(Libp2pErrorReason.MalformedMessage, "The peer closed the ping stream before echoing.", e);
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        if (!payload.AsSpan().SequenceEqual(echo))
        {
            throw new Libp2pException(Libp2pErrorReason.MalformedMessage, "The ping echo differs from what was sent.");
        }

        return elapsed;
    }
}
