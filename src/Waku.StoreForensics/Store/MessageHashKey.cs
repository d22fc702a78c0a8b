using System.Buffers.Binary;

namespace Waku.StoreForensics.Store;

/// <summary>A 32-byte hash as a compact set key (about 50 bytes per entry in a <see cref="HashSet{T}"/>, against
/// about 200 for its hex string), so duplicate detection over millions of messages stays affordable.</summary>
internal readonly record struct MessageHashKey(ulong A, ulong B, ulong C, ulong D)
{
    /// <summary>The key of <paramref name="hash"/>, which must be 32 bytes.</summary>
    public static MessageHashKey From(ReadOnlySpan<byte> hash) => new(
        BinaryPrimitives.ReadUInt64LittleEndian(hash),
        BinaryPrimitives.ReadUInt64LittleEndian(hash[8..]),
        BinaryPrimitives.ReadUInt64LittleEndian(hash[16..]),
        BinaryPrimitives.ReadUInt64LittleEndian(hash[24..]));
}
