namespace Waku.StoreForensics.Net.Crypto;

/// <summary>libp2p key types (peer-ids.md "Keys"); only Ed25519 and Secp256k1 are implemented here.</summary>
public enum KeyType
{
    /// <summary>RSA (not supported).</summary>
    Rsa = 0,

    /// <summary>Ed25519.</summary>
    Ed25519 = 1,

    /// <summary>secp256k1, the key nwaku generates.</summary>
    Secp256k1 = 2,

    /// <summary>ECDSA over NIST curves (not supported).</summary>
    Ecdsa = 3,
}
