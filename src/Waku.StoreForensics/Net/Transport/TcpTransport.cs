using System.Net;
using System.Net.Sockets;
using Waku.StoreForensics.Net.Multiformats;

namespace Waku.StoreForensics.Net.Transport;

/// <summary>Dials <c>/ip4|ip6|dns|dns4|dns6/…/tcp/…</c> with a connect timeout and typed failures.</summary>
internal static class TcpTransport
{
    public static async Task<Socket> ConnectAsync(Multiaddress address, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!address.TryGetTcpEndpoint(out string host, out int port, out var family))
        {
            throw new Libp2pException(Libp2pErrorReason.UnsupportedMultiaddr, $"'{address}' is not a TCP address (ip4|ip6|dns*/…/tcp/…).");
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            IPAddress[] candidates = IPAddress.TryParse(host, out var literal)
                ? [literal]
                : (await Dns.GetHostAddressesAsync(host, deadline.Token).ConfigureAwait(false))
                    .Where(a => family == AddressFamily.Unspecified || a.AddressFamily == family).ToArray();
            if (candidates.Length == 0)
            {
                throw new Libp2pException(Libp2pErrorReason.TransportError, $"'{host}' has no {family} address.");
            }

            SocketException? last = null;
            foreach (var ip in candidates)
            {
                var socket = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(ip, port), deadline.Token).ConfigureAwait(false);
                    return socket;
                }
                catch (SocketException e)
                {
                    socket.Dispose();
                    last = e;
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            }

            throw last!.SocketErrorCode == SocketError.ConnectionRefused
                ? new Libp2pException(Libp2pErrorReason.ConnectionRefused, $"{host}:{port} refused the connection.", last)
                : new Libp2pException(Libp2pErrorReason.TransportError, $"Connecting to {host}:{port} failed: {last.SocketErrorCode}.", last);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new Libp2pException(Libp2pErrorReason.Timeout, $"Connecting to {host}:{port} timed out after {timeout.TotalSeconds:0.#} s.", e);
        }
        catch (SocketException e)
        {
            throw new Libp2pException(Libp2pErrorReason.TransportError, $"Resolving {host} failed: {e.SocketErrorCode}.", e);
        }
    }
}
