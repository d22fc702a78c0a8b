using Waku.StoreForensics.Scanning;
using Waku.StoreForensics.Store;

namespace Waku.StoreForensics.Reseed;

/// <summary>How the difference between the local store and a peer was found.</summary>
public enum ReseedMethod
{
    /// <summary>
    /// Store v3 hash-only query of the peer, compared with the message hashes computed from the local rows; only the
    /// missing messages are fetched, by hash.
    /// </summary>
    HashDiff,

    /// <summary>
    /// Every message in range fetched (store v3 when the local layout cannot give message hashes, e.g. v0.4's
    /// receive-time-only rows, or the legacy store, which has no hash-only query) and compared by the layout's key.
    /// </summary>
    FullFetch,
}

/// <summary>Progress of a reseed, reported after every page.</summary>
/// <param name="Stage">What is running ("reading local store", "listing remote hashes", "fetching", …).</param>
/// <param name="Peer">The peer being queried, when any.</param>
/// <param name="RemoteMessages">Messages (or hashes) the peer listed so far.</param>
/// <param name="Missing">Messages known to be missing locally so far.</param>
/// <param name="Fetched">Messages received with data.</param>
/// <param name="Inserted">Rows written.</param>
/// <param name="BytesReceived">Bytes of store responses received.</param>
/// <param name="Elapsed">Time since the reseed started.</param>
public readonly record struct ReseedProgress(string Stage, string? Peer, long RemoteMessages, long Missing, long Fetched, long Inserted, long BytesReceived, TimeSpan Elapsed);

/// <summary>What one peer contributed.</summary>
/// <param name="Address">The multiaddress dialled.</param>
/// <param name="Protocol">The store protocol used, null when none could be.</param>
/// <param name="Method">How the difference was found.</param>
/// <param name="Completed">True when the peer answered every query to the last page.</param>
/// <param name="Error">Why it did not complete, when it did not.</param>
/// <param name="RemoteMessages">Messages (or hashes) the peer listed in range.</param>
/// <param name="Fetched">Messages received with data from this peer.</param>
/// <param name="Inserted">Rows written from this peer.</param>
/// <param name="Rejected">Messages this peer sent that failed the hash check or the row validator.</param>
/// <param name="Pages">Store responses received.</param>
/// <param name="BytesReceived">Bytes of the store responses.</param>
public sealed record ReseedPeerResult(
    string Address,
    string? Protocol,
    ReseedMethod? Method,
    bool Completed,
    string? Error,
    long RemoteMessages,
    long Fetched,
    long Inserted,
    long Rejected,
    long Pages,
    long BytesReceived);

/// <summary>A message that was not written, and why.</summary>
/// <param name="Peer">Who sent it.</param>
/// <param name="MessageHash">Its hash (hex), as claimed by the peer when it could not be recomputed.</param>
/// <param name="Reason">A sentence for the report.</param>
public sealed record ReseedRejection(string Peer, string MessageHash, string Reason);

/// <summary>The result of <see cref="StoreReseeder.ReseedAsync"/>.</summary>
public sealed record ReseedReport
{
    /// <summary>The database and its sidecars as found before the reseed, with SHA-256.</summary>
    public required IReadOnlyList<EvidenceFile> Before { get; init; }

    /// <summary>The database and its sidecars after the reseed (equal to <see cref="Before"/> on a dry run).</summary>
    public required IReadOnlyList<EvidenceFile> After { get; init; }

    /// <summary>The Message layout of the database (e.g. "S10").</summary>
    public required string MessageLayout { get; init; }

    /// <summary>True when nothing was written.</summary>
    public required bool DryRun { get; init; }

    /// <summary>The scan's verdict before writing: "healthy", "damaged (forced)" or "skipped".</summary>
    public required string ScanVerdict { get; init; }

    /// <summary>Message rows in the database before.</summary>
    public required long LocalRowsBefore { get; init; }

    /// <summary>Message rows in the database after.</summary>
    public required long LocalRowsAfter { get; init; }

    /// <summary>Messages known missing: the hash diff, or the fetched messages whose key the table lacked.</summary>
    public required long Missing { get; init; }

    /// <summary>Rows written.</summary>
    public required long Inserted { get; init; }

    /// <summary>Messages fetched whose key the table already held (wasted transfer; expected with <see cref="ReseedMethod.FullFetch"/>).</summary>
    public required long AlreadyPresent { get; init; }

    /// <summary>Bytes of all store responses (hash lists included).</summary>
    public required long BytesReceived { get; init; }

    /// <summary>Bytes of the missing messages themselves (their WakuMessage encodings): the least any transfer could cost.</summary>
    public required long MissingMessageBytes { get; init; }

    /// <summary>True when a peer answered every query to the end; false when every peer failed part-way.</summary>
    public required bool Complete { get; init; }

    /// <summary>Each peer tried, in order.</summary>
    public required IReadOnlyList<ReseedPeerResult> Peers { get; init; }

    /// <summary>Messages not written, and why.</summary>
    public required IReadOnlyList<ReseedRejection> Rejected { get; init; }

    /// <summary>On a dry run with the hash diff: the hashes (hex) of the missing messages.</summary>
    public required IReadOnlyList<string> MissingHashes { get; init; }

    /// <summary>Wall time, seconds.</summary>
    public required double Seconds { get; init; }
}
