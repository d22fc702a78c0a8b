using System.Buffers.Binary;
using System.Security.Cryptography;
using Waku.StoreForensics.Net;
using Waku.StoreForensics.Net.Muxing;

namespace Waku.StoreForensics.Tests.Net.Interop;

/// <summary>The test protocols both the C# side and peer.mjs implement.</summary>
internal static class TestProtocols
{
    public const string Echo = "/test/echo/1.0.0";
    public const string Sha256 = "/test/sha256/1.0.0";
    public const string Source = "/test/source/1.0.0";
    public const string Reset = "/test/reset/1.0.0";
    public const string Sink = "/test/sink/1.0.0";

    /// <summary>byte k = (k * 31 + (k &gt;&gt; 8)) &amp; 0xff, as peer.mjs generates it.</summary>
    public static void Pattern(long offset, Span<byte> destination)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            long k = offset + i;
            destination[i] = (byte)((k * 31 + (k >> 8)) & 0xff);
        }
    }

    public static byte[] Pattern(long offset, int length)
    {
        var b = new byte[length];
        Pattern(offset, b);
        return b;
    }

    public static byte[] PatternSha256(long total)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var chunk = new byte[64 * 1024];
        for (long sent = 0; sent < total; sent += chunk.Length)
        {
            int n = (int)Math.Min(chunk.Length, total - sent);
            Pattern(sent, chunk.AsSpan(0, n));
            hash.AppendData(chunk, 0, n);
        }

        return hash.GetHashAndReset();
    }

    public static async Task WritePatternAsync(Stream stream, long total, CancellationToken ct)
    {
        var chunk = new byte[64 * 1024];
        for (long sent = 0; sent < total; sent += chunk.Length)
        {
            int n = (int)Math.Min(chunk.Length, total - sent);
            Pattern(sent, chunk.AsSpan(0, n));
            await stream.WriteAsync(chunk.AsMemory(0, n), ct);
        }
    }

    public static void Register(Libp2pHost host, TaskCompletionSource<(Exception? Error, long Received)>? sinkOutcome = null)
    {
        host.SetHandler(Echo, async (s, _, ct) =>
        {
            await s.CopyToAsync(s, ct);
            await s.CloseWriteAsync(ct);
        });
        host.SetHandler(Sha256, async (s, _, ct) =>
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[64 * 1024];
            long total = 0;
            int n;
            while ((n = await s.ReadAsync(buffer, ct)) > 0)
            {
                hash.AppendData(buffer, 0, n);
                total += n;
            }

            var answer = new byte[40];
            hash.GetHashAndReset().CopyTo(answer, 0);
            BinaryPrimitives.WriteInt64BigEndian(answer.AsSpan(32), total);
            await s.WriteAsync(answer, ct);
            await s.CloseWriteAsync(ct);
        });
        host.SetHandler(Sink, async (s, _, ct) =>
        {
            var buffer = new byte[64 * 1024];
            long received = 0;
            try
            {
                int n;
                while ((n = await s.ReadAsync(buffer, ct)) > 0)
                {
                    received += n;
                }

                sinkOutcome?.TrySetResult((null, received));
            }
            catch (Exception e)
            {
                sinkOutcome?.TrySetResult((e, received));
                throw;
            }
        });
    }

    public static async Task<byte[]> ReadToEndAsync(Libp2pStream stream, CancellationToken ct)
    {
        var ms = new MemoryStream();
        await stream.CopyToAsync(ms, ct);
        return ms.ToArray();
    }
}
