using System.Buffers.Binary;
using System.Text;
using Google.Protobuf;
using NSec.Cryptography;
using Waku.StoreForensics.Net.Crypto;
using Waku.StoreForensics.Net.Multiformats;
using Waku.StoreForensics.Net.Protos;

namespace Waku.StoreForensics.Net.Noise;

/// <summary>The outcome of a libp2p Noise handshake.</summary>
/// <param name="Stream">The encrypted transport.</param>
/// <param name="RemotePeer">The peer ID the remote proved.</param>
/// <param name="RemotePublicKey">The remote's PublicKey protobuf.</param>
/// <param name="RemoteMuxers">Muxers the remote listed in the <c>stream_muxers</c> extension (empty when none).</param>
internal sealed record NoiseResult(NoiseSecureStream Stream, PeerId RemotePeer, byte[] RemotePublicKey, IReadOnlyList<string> RemoteMuxers);

/// <summary>Fixed X25519 keys for one handshake, so tests can reproduce another implementation's transcript.</summary>
internal sealed record NoiseKeys(Key Static, Key Ephemeral);

/// <summary>
/// libp2p noise/README.md: <c>Noise_XX_25519_ChaChaPoly_SHA256</c>, empty prologue, 2-byte big-endian framing,
/// handshake payload carrying the identity key and its signature over the static DH key.
/// </summary>
internal static class NoiseHandshake
{
    public const string ProtocolId = "/noise";
    public const int MaxMessageLength = 65535;
    private const int DhLength = 32;
    private static readonly byte[] SignaturePrefix = Encoding.UTF8.GetBytes("noise-libp2p-static-key:");
    private static readonly KeyAgreementAlgorithm X25519 = KeyAgreementAlgorithm.X25519;

    public static async Task<NoiseResult> InitiateAsync(Stream transport, Identity identity, PeerId? expectedRemote,
        IReadOnlyList<string> localMuxers, CancellationToken cancellationToken, NoiseKeys? keys = null)
    {
        using var state = new SymmetricState();
        using var s = keys?.Static ?? CreateDhKey();
        using var e = keys?.Ephemeral ?? CreateDhKey();
        byte[] ePub = e.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        byte[] sPub = s.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        state.MixHash([]); // empty prologue

        // -> e
        state.MixHash(ePub);
        byte[] payload1 = state.EncryptAndHash([]);
        await WriteFrameAsync(transport, [.. ePub, .. payload1], cancellationToken).ConfigureAwait(false);

        // <- e, ee, s, es
        byte[] message2 = await ReadFrameAsync(transport, cancellationToken).ConfigureAwait(false);
        if (message2.Length < DhLength + DhLength + CipherState.TagLength + CipherState.TagLength)
        {
            throw Fail("Noise message 2 is too short.");
        }

        byte[] re = message2[..DhLength];
        state.MixHash(re);
        state.MixKey(Agree(e, re));
        byte[] rs = state.DecryptAndHash(message2.AsSpan(DhLength, DhLength + CipherState.TagLength));
        state.MixKey(Agree(e, rs));
        byte[] remotePayload = state.DecryptAndHash(message2.AsSpan(DhLength + DhLength + CipherState.TagLength));
        var (remotePeer, remoteKey, remoteMuxers) = VerifyPayload(remotePayload, rs, expectedRemote);

        // -> s, se
        byte[] encryptedS = state.EncryptAndHash(sPub);
        state.MixKey(Agree(s, re));
        byte[] payload3 = state.EncryptAndHash(BuildPayload(identity, sPub, localMuxers));
        await WriteFrameAsync(transport, [.. encryptedS, .. payload3], cancellationToken).ConfigureAwait(false);

        var (send, receive) = state.Split();
        return new NoiseResult(new NoiseSecureStream(transport, send, receive), remotePeer, remoteKey, remoteMuxers);
    }

    public static async Task<NoiseResult> RespondAsync(Stream transport, Identity identity,
        IReadOnlyList<string> localMuxers, CancellationToken cancellationToken, NoiseKeys? keys = null)
    {
        using var state = new SymmetricState();
        using var s = keys?.Static ?? CreateDhKey();
        using var e = keys?.Ephemeral ?? CreateDhKey();
        byte[] ePub = e.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        byte[] sPub = s.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        state.MixHash([]);

        // -> e
        byte[] message1 = await ReadFrameAsync(transport, cancellationToken).ConfigureAwait(false);
        if (message1.Length < DhLength)
        {
            throw Fail("Noise message 1 is too short.");
        }

        byte[] re = message1[..DhLength];
        state.MixHash(re);
        state.DecryptAndHash(message1.AsSpan(DhLength)); // libp2p sends no payload here; hash what came

        // <- e, ee, s, es
        state.MixHash(ePub);
        state.MixKey(Agree(e, re));
        byte[] encryptedS = state.EncryptAndHash(sPub);
        state.MixKey(Agree(s, re));
        byte[] payload2 = state.EncryptAndHash(BuildPayload(identity, sPub, localMuxers));
        await WriteFrameAsync(transport, [.. ePub, .. encryptedS, .. payload2], cancellationToken).ConfigureAwait(false);

        // -> s, se
        byte[] message3 = await ReadFrameAsync(transport, cancellationToken).ConfigureAwait(false);
        if (message3.Length < DhLength + CipherState.TagLength + CipherState.TagLength)
        {
            throw Fail("Noise message 3 is too short.");
        }

        byte[] rs = state.DecryptAndHash(message3.AsSpan(0, DhLength + CipherState.TagLength));
        state.MixKey(Agree(e, rs));
        byte[] remotePayload = state.DecryptAndHash(message3.AsSpan(DhLength + CipherState.TagLength));
        var (remotePeer, remoteKey, remoteMuxers) = VerifyPayload(remotePayload, rs, null);

        var (receive, send) = state.Split();
        return new NoiseResult(new NoiseSecureStream(transport, send, receive), remotePeer, remoteKey, remoteMuxers);
    }

    internal static byte[] BuildPayload(Identity identity, ReadOnlySpan<byte> staticPublicKey, IReadOnlyList<string> muxers)
    {
        var payload = new NoiseHandshakePayload
        {
            IdentityKey = ByteString.CopyFrom(identity.PublicKeyProtobuf),
            IdentitySig = ByteString.CopyFrom(identity.Sign([.. SignaturePrefix, .. staticPublicKey])),
        };
        if (muxers.Count > 0)
        {
            // noise/README.md "Noise Extensions": stream_muxers enables inlined muxer negotiation.
            payload.Extensions = new NoiseExtensions();
            payload.Extensions.StreamMuxers.AddRange(muxers);
        }

        return payload.ToByteArray();
    }

    private static (PeerId Peer, byte[] Key, IReadOnlyList<string> Muxers) VerifyPayload(byte[] payloadBytes, byte[] remoteStatic, PeerId? expected)
    {
        NoiseHandshakePayload payload;
        try
        {
            payload = NoiseHandshakePayload.Parser.ParseFrom(payloadBytes);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw Fail("Malformed Noise handshake payload.", ex);
        }

        if (!payload.HasIdentityKey || !payload.HasIdentitySig)
        {
            throw Fail("Noise handshake payload lacks the identity key or signature.");
        }

        byte[] keyBytes = payload.IdentityKey.ToByteArray();
        var key = PublicKeyVerifier.ParsePublicKey(keyBytes);
        if (!PublicKeyVerifier.Verify(key, [.. SignaturePrefix, .. remoteStatic], payload.IdentitySig.Span))
        {
            throw Fail("The remote's signature over its Noise static key does not verify.");
        }

        // Re-encode deterministically so a non-canonical encoding cannot yield a different peer ID.
        var peer = PeerId.FromPublicKey(key.ToByteArray());
        if (expected is not null && !expected.Equals(peer))
        {
            throw new Libp2pException(Libp2pErrorReason.PeerIdMismatch, $"Dialled {expected} but the remote proved {peer}.");
        }

        var muxers = payload.Extensions?.StreamMuxers.ToArray() ?? [];
        return (peer, keyBytes, muxers);
    }

    private static Key CreateDhKey() =>
        Key.Create(X25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.None });

    private static byte[] Agree(Key local, byte[] remotePublic)
    {
        if (!NSec.Cryptography.PublicKey.TryImport(X25519, remotePublic, KeyBlobFormat.RawPublicKey, out var pub) || pub is null)
        {
            throw Fail("The remote's X25519 key is invalid.");
        }

        using var secret = X25519.Agree(local, pub, new SharedSecretCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport })
            ?? throw Fail("X25519 agreement with the remote's key failed (small-order point).");
        return secret.Export(SharedSecretBlobFormat.RawSharedSecret);
    }

    private static async Task WriteFrameAsync(Stream transport, byte[] message, CancellationToken cancellationToken)
    {
        var frame = new byte[2 + message.Length];
        BinaryPrimitives.WriteUInt16BigEndian(frame, checked((ushort)message.Length));
        message.CopyTo(frame, 2);
        await transport.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        await transport.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<byte[]> ReadFrameAsync(Stream transport, CancellationToken cancellationToken)
    {
        try
        {
            var header = new byte[2];
            await transport.ReadExactlyAsync(header, cancellationToken).ConfigureAwait(false);
            var message = new byte[BinaryPrimitives.ReadUInt16BigEndian(header)];
            await transport.ReadExactlyAsync(message, cancellationToken).ConfigureAwait(false);
            return message;
        }
        catch (EndOfStreamException e)
        {
            throw Fail("The connection closed during the Noise handshake.", e);
        }
    }

    private static Libp2pException Fail(string message, Exception? inner = null) =>
        new(Libp2pErrorReason.NoiseHandshakeFailed, message, inner);
}
