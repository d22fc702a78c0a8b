using Waku.StoreForensics.Net.Crypto;
using Waku.StoreForensics.Net.Multiformats;

namespace Waku.StoreForensics.Tests.Net.Multiformats;

public class PeerIdTests
{
    // Vectors from @libp2p/crypto 5.1.8 + @libp2p/peer-id 5.1.9 (js) for fixed private keys.
    [Theory]
    [InlineData(KeyType.Secp256k1, "0000000000000000000000000000000000000000000000000000000000000001",
        "080212210279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
        "16Uiu2HAm3cuhhRL2msUuLF62KRSfneFDx94RsuouyW25Ho42cFMq",
        "bafzaajiiaijccatzxzth56o4xowflidcsxhiocyhakn7zwznzyunswpsqfnrn6axta")]
    [InlineData(KeyType.Secp256k1, "c85ef7d79691fe79573b1a7064c19c1a9819ebdbd1faaab1a8ec92344438aaf4",
        "08021221030947751e3022ecf3016be03ec77ab0ce3c2662b4843898cb068d74f698ccc8ad",
        "16Uiu2HAmDHDDZAohTAoUDdU8Sg61Ni4NrRx3uY9rhNUA13iETDqW",
        "bafzaajiiaijccayji52r4mbc5tzqc27ah3dxvmgohqtgfneehcmmwbunot3jrtgivu")]
    [InlineData(KeyType.Ed25519, "0101010101010101010101010101010101010101010101010101010101010101",
        "080112208a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c",
        "12D3KooWK99VoVxNE7XzyBwXEzW7xhK7Gpv85r9F3V3fyKSUKPH5",
        "bafzaajaiaejcbcui4poxicprsx6vfwznhs5f24wkm4e36hmucin7g5eiag2a6324")]
    public void FromRawPrivateKey_JsVectors_SamePublicKeyAndPeerId(KeyType type, string secret, string publicKey, string base58, string cid)
    {
        using var identity = Identity.FromRawPrivateKey(type, Convert.FromHexString(secret));
        Assert.Equal(publicKey, Convert.ToHexStringLower(identity.PublicKeyProtobuf));
        Assert.Equal(base58, identity.PeerId.ToString());
        Assert.Equal(cid, identity.PeerId.ToCidString());
        Assert.Equal(identity.PeerId, PeerId.Parse(base58));
        Assert.Equal(identity.PeerId, PeerId.Parse(cid));
        Assert.True(identity.PeerId.IsIdentityMultihash);
        Assert.Equal(type, identity.PeerId.InlineKeyType);
    }

    [Fact]
    public void FromBytes_RustVector_Base58()
    {
        // rust-libp2p test: identity multihash of an Ed25519 key.
        var id = PeerId.FromBytes(Convert.FromHexString("002408011220da91decf6f4c769327ca8ff03986e66fcfe6c59dca63d68c5ee359e52f8dc6e6"));
        Assert.Equal("12D3KooWQXa4AdCEZWe9QwoHnrANyMAXirozBdroNHkkvTMhT8bf", id.ToString());
    }

    [Fact]
    public void FromBytes_Sha256Multihash_JvmVector()
    {
        // jvm-libp2p PeerIdTest "from hex id": an RSA-era sha2-256 peer ID.
        var id = PeerId.FromBytes(Convert.FromHexString("1220593cd036d6ac062ca1c332c15aca7a7b8ed7c9a004b34046e58f2aa6439102b5"));
        Assert.Equal("QmULzn6KtFUCKpkFymEUgUvkLtv9j2Eo4utZPELmQEebR6", id.ToString());
        Assert.False(id.IsIdentityMultihash);
        Assert.Null(id.TryGetInlinePublicKey());
        Assert.Equal(id, PeerId.Parse(id.ToCidString()));
    }

    [Fact]
    public void FromPublicKey_LongerThan42Bytes_UsesSha256()
    {
        var id = PeerId.FromPublicKey(new byte[43]);
        Assert.Equal(0x12, id.Bytes[0]);
        Assert.Equal(34, id.Bytes.Length);
    }

    [Theory]
    [InlineData("")]
    [InlineData("QmNotBase58!")]
    [InlineData("12D3KooW")]
    [InlineData("bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi")] // a dag-pb CID, not libp2p-key
    [InlineData("zQmULzn6KtFUCKpkFymEUgUvkLtv9j2Eo4utZPELmQEebR6")]
    public void TryParse_NotAPeerId_False(string text) => Assert.False(PeerId.TryParse(text, out _));

    [Fact]
    public void PrivateKeyProtobuf_JsVectors_RoundTrip()
    {
        // PrivateKey protobufs written by @libp2p/crypto: secp256k1 (32-byte scalar) and Ed25519 (seed ‖ public).
        const string secp = "08021220c85ef7d79691fe79573b1a7064c19c1a9819ebdbd1faaab1a8ec92344438aaf4";
        const string ed = "0801124001010101010101010101010101010101010101010101010101010101010101018a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c";
        foreach (var hex in new[] { secp, ed })
        {
            using var identity = Identity.FromPrivateKeyProtobuf(Convert.FromHexString(hex));
            Assert.Equal(hex, Convert.ToHexStringLower(identity.ExportPrivateKeyProtobuf()));
        }
    }
}
