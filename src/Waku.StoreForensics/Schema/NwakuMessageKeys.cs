using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Waku.StoreForensics.Schema;

/// <summary>
/// The key formulas nwaku uses for Message rows, each exactly as nwaku computes it. Verified against the
/// vectors of nwaku's <c>tests/waku_core/test_message_digest.nim</c> (message hash) in our tests.
/// </summary>
public static class NwakuMessageKeys
{
    /// <summary>Length of every nwaku digest and hash: SHA-256.</summary>
    public const int KeyLength = 32;

    /// <summary>
    /// v0.1–v0.2 <c>computeIndex</c>: SHA-256 of the content topic as a uint32 in little-endian order
    /// (stew <c>toBytes</c> on x86/ARM) followed by the payload.
    /// </summary>
    public static byte[] ComputeDigestOfIntegerTopic(uint contentTopic, ReadOnlySpan<byte> payload)
    {
        Span<byte> topic = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(topic, contentTopic);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(topic);
        hash.AppendData(payload);
        return hash.GetHashAndReset();
    }

    /// <summary>
    /// v0.3+ <c>computeDigest</c> / <c>computeIndex</c> (the <c>id</c> column): SHA-256(contentTopic UTF-8 ‖ payload),
    /// no separator, no length prefix, no pubsub topic and no timestamp (v0.4 waku_store.nim, v0.12+ pagination/common.nim).
    /// </summary>
    public static byte[] ComputeDigest(ReadOnlySpan<byte> contentTopic, ReadOnlySpan<byte> payload)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(contentTopic);
        hash.AppendData(payload);
        return hash.GetHashAndReset();
    }

    /// <summary>
    /// v0.23+ deterministic <c>computeMessageHash</c> (the <c>messageHash</c> column and store v3 key):
    /// SHA-256(pubsubTopic ‖ payload ‖ contentTopic ‖ meta ‖ uint64-big-endian(timestamp)). The eight
    /// timestamp bytes are always appended (zeros for 0); an absent meta contributes nothing.
    /// </summary>
    public static byte[] ComputeMessageHash(
        ReadOnlySpan<byte> pubsubTopic,
        ReadOnlySpan<byte> payload,
        ReadOnlySpan<byte> contentTopic,
        ReadOnlySpan<byte> meta,
        long timestamp)
    {
        Span<byte> time = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(time, unchecked((ulong)timestamp));
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(pubsubTopic);
        hash.AppendData(payload);
        hash.AppendData(contentTopic);
        hash.AppendData(meta);
        hash.AppendData(time);
        return hash.GetHashAndReset();
    }
}
