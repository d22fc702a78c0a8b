using System.Buffers.Binary;

namespace Waku.StoreForensics.SampleGenerator;

/// <summary>
/// Makes a WAL file reproducible: SQLite draws the WAL salts at random, and every frame checksum depends on them.
/// Rewrites both salts in the header and in every frame, then recomputes the header checksum and the cumulative
/// frame checksums, so the WAL stays exactly as valid (or as torn) as SQLite left it (fileformat2 §4.1, §4.2).
/// </summary>
internal static class WalSalts
{
    private const int HeaderLength = 32;
    private const int FrameHeaderLength = 24;

    public static void Normalize(string walPath, uint salt1, uint salt2)
    {
        byte[] wal = File.ReadAllBytes(walPath);
        if (wal.Length < HeaderLength)
        {
            return;
        }

        uint magic = BinaryPrimitives.ReadUInt32BigEndian(wal);
        bool bigEndian = magic == 0x377f0683;
        int pageSize = (int)BinaryPrimitives.ReadUInt32BigEndian(wal.AsSpan(8));
        uint oldSalt1 = BinaryPrimitives.ReadUInt32BigEndian(wal.AsSpan(16));
        uint oldSalt2 = BinaryPrimitives.ReadUInt32BigEndian(wal.AsSpan(20));
        BinaryPrimitives.WriteUInt32BigEndian(wal.AsSpan(16), salt1);
        BinaryPrimitives.WriteUInt32BigEndian(wal.AsSpan(20), salt2);
        uint s0 = 0, s1 = 0;
        Checksum(wal.AsSpan(0, 24), bigEndian, ref s0, ref s1);
        BinaryPrimitives.WriteUInt32BigEndian(wal.AsSpan(24), s0);
        BinaryPrimitives.WriteUInt32BigEndian(wal.AsSpan(28), s1);

        for (long frame = HeaderLength; frame + FrameHeaderLength + pageSize <= wal.Length; frame += FrameHeaderLength + pageSize)
        {
            Span<byte> header = wal.AsSpan((int)frame, FrameHeaderLength);
            if (BinaryPrimitives.ReadUInt32BigEndian(header[8..]) != oldSalt1 || BinaryPrimitives.ReadUInt32BigEndian(header[12..]) != oldSalt2)
            {
                break; // a frame of an older generation stays as it was: stale either way
            }

            BinaryPrimitives.WriteUInt32BigEndian(header[8..], salt1);
            BinaryPrimitives.WriteUInt32BigEndian(header[12..], salt2);
            Checksum(header[..8], bigEndian, ref s0, ref s1);
            Checksum(wal.AsSpan((int)frame + FrameHeaderLength, pageSize), bigEndian, ref s0, ref s1);
            BinaryPrimitives.WriteUInt32BigEndian(header[16..], s0);
            BinaryPrimitives.WriteUInt32BigEndian(header[20..], s1);
        }

        File.WriteAllBytes(walPath, wal);
    }

    // fileformat2 §4.2: s0 += x[i] + s1; s1 += x[i+1] + s0 over 32-bit words in the WAL's byte order.
    private static void Checksum(ReadOnlySpan<byte> data, bool bigEndian, ref uint s0, ref uint s1)
    {
        for (int i = 0; i + 8 <= data.Length; i += 8)
        {
            uint x0 = bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(data[i..]) : BinaryPrimitives.ReadUInt32LittleEndian(data[i..]);
            uint x1 = bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(data[(i + 4)..]) : BinaryPrimitives.ReadUInt32LittleEndian(data[(i + 4)..]);
            s0 = unchecked(s0 + x0 + s1);
            s1 = unchecked(s1 + x1 + s0);
        }
    }
}
