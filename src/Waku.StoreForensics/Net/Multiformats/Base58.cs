using System.Text;

namespace Waku.StoreForensics.Net.Multiformats;

/// <summary>Bitcoin-alphabet base58 (multibase 'z'), the text form of libp2p peer IDs.</summary>
internal static class Base58
{
    private const string Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    private static readonly sbyte[] Map = BuildMap();

    private static sbyte[] BuildMap()
    {
        var map = new sbyte[128];
        Array.Fill(map, (sbyte)-1);
        for (int i = 0; i < Alphabet.Length; i++)
        {
            map[Alphabet[i]] = (sbyte)i;
        }

        return map;
    }

    public static string Encode(ReadOnlySpan<byte> data)
    {
        int zeros = 0;
        while (zeros < data.Length && data[zeros] == 0)
        {
            zeros++;
        }

        // log(256)/log(58) ≈ 1.365
        var digits = new byte[(data.Length - zeros) * 138 / 100 + 1];
        int length = 0;
        for (int i = zeros; i < data.Length; i++)
        {
            int carry = data[i];
            int j = 0;
            for (; j < length || carry != 0; j++)
            {
                int k = digits.Length - 1 - j;
                carry += 256 * digits[k];
                digits[k] = (byte)(carry % 58);
                carry /= 58;
            }

            length = j;
        }

        var sb = new StringBuilder(zeros + length);
        sb.Append('1', zeros);
        for (int i = digits.Length - length; i < digits.Length; i++)
        {
            sb.Append(Alphabet[digits[i]]);
        }

        return sb.ToString();
    }

    public static bool TryDecode(string text, out byte[] data)
    {
        data = [];
        int zeros = 0;
        while (zeros < text.Length && text[zeros] == '1')
        {
            zeros++;
        }

        var bytes = new byte[(text.Length - zeros) * 733 / 1000 + 1];
        int length = 0;
        for (int i = zeros; i < text.Length; i++)
        {
            char c = text[i];
            if (c >= 128 || Map[c] < 0)
            {
                return false;
            }

            int carry = Map[c];
            int j = 0;
            for (; j < length || carry != 0; j++)
            {
                int k = bytes.Length - 1 - j;
                carry += 58 * bytes[k];
                bytes[k] = (byte)(carry & 0xFF);
                carry >>= 8;
            }

            length = j;
        }

        data = new byte[zeros + length];
        bytes.AsSpan(bytes.Length - length).CopyTo(data.AsSpan(zeros));
        return true;
    }
}
