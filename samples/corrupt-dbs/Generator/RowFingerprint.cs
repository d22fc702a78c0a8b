using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Waku.StoreForensics.SampleGenerator;

/// <summary>
/// SHA-256 over a row's values in declaration order, each tagged with its storage class, so that a row read
/// back by any reader can be compared with the row written without keeping the payloads in a manifest.
/// </summary>
public static class RowFingerprint
{
    /// <summary>Lower-case hex fingerprint of <paramref name="values"/> (null, long, double, string or byte[]).</summary>
    public static string Of(IReadOnlyList<object?> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> number = stackalloc byte[9];
        foreach (object? value in values)
        {
            switch (value)
            {
                case null:
                    hash.AppendData([0]);
                    break;
                case long l:
                    number[0] = 1;
                    BinaryPrimitives.WriteInt64BigEndian(number[1..], l);
                    hash.AppendData(number);
                    break;
                case double d:
                    number[0] = 2;
                    BinaryPrimitives.WriteDoubleBigEndian(number[1..], d);
                    hash.AppendData(number);
                    break;
                case string s:
                    AppendSized(hash, 3, Encoding.UTF8.GetBytes(s));
                    break;
                case byte[] b:
                    AppendSized(hash, 4, b);
                    break;
                default:
                    throw new ArgumentException($"Unsupported value type {value.GetType()}.", nameof(values));
            }
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static void AppendSized(IncrementalHash hash, byte tag, byte[] bytes)
    {
        Span<byte> prefix = stackalloc byte[5];
        prefix[0] = tag;
        BinaryPrimitives.WriteInt32BigEndian(prefix[1..], bytes.Length);
        hash.AppendData(prefix);
        hash.AppendData(bytes);
    }
}
