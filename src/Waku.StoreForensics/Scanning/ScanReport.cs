using Waku.StoreForensics.Validation;

namespace Waku.StoreForensics.Scanning;

/// <summary>A file the scan read, with its SHA-256: the evidence it is about.</summary>
/// <param name="Path">Full path.</param>
/// <param name="Length">Length in bytes.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the whole file.</param>
public sealed record EvidenceFile(string Path, long Length, string Sha256);

/// <summary>Where a scan is, for progress displays.</summary>
/// <param name="Stage">What it is doing.</param>
/// <param name="Fraction">How far, from 0 to 1.</param>
public readonly record struct ScanProgress(string Stage, double Fraction);

/// <summary>Options of <see cref="StoreScanner.Scan"/>.</summary>
public sealed record ScanOptions
{
    /// <summary>Run SQLite's own integrity_check on a private copy (default true).</summary>
    public bool RunIntegrityCheck { get; init; } = true;

    /// <summary>Detailed findings kept per kind; the rest are only counted (default 200).</summary>
    public int MaxFindingsPerKind { get; init; } = 200;

    /// <summary>Settings of the Message and Peer row validators (clock, tolerances).</summary>
    public RowValidationOptions Validation { get; init; } = new();

}

/// <summary>Everything a scan found, worst first, with the evidence it was made on.</summary>
public sealed record ScanReport
{
    /// <summary>The database and sidecar files read, with their SHA-256.</summary>
    public required IReadOnlyList<EvidenceFile> Inputs { get; init; }
    /// <summary>When the scan started.</summary>
    public required DateTimeOffset StartedAt { get; init; }
    /// <summary>How long the scan took, in seconds.</summary>
    public required double Seconds { get; init; }
    /// <summary>Page size in use.</summary>
    public required int PageSize { get; init; }
    /// <summary>Pages in the database as SQLite would see it.</summary>
    public required long PageCount { get; init; }
    /// <summary>user_version from the header.</summary>
    public required int UserVersion { get; init; }
    /// <summary>The Message layout recognised (e.g. "S10"), or null.</summary>
    public string? MessageLayout { get; init; }
    /// <summary>The Peer layout recognised, or null.</summary>
    public string? PeerLayout { get; init; }
    /// <summary>Message rows read and validated.</summary>
    public long MessageRowsRead { get; init; }
    /// <summary>Peer rows read and validated (the Peer table of the scanned file: store.sqlite3 to v0.12, peers.db from v0.13).</summary>
    public long PeerRowsRead { get; init; }
    /// <summary>SQLite's integrity_check verdict: "ok", "damaged", "could not run" or "skipped".</summary>
    public required string IntegrityCheck { get; init; }
    /// <summary>Number of findings of each kind, including those not kept in <see cref="Findings"/>.</summary>
    public required IReadOnlyDictionary<FindingKind, int> Counts { get; init; }
    /// <summary>Findings, worst first, at most <see cref="ScanOptions.MaxFindingsPerKind"/> per kind.</summary>
    public required IReadOnlyList<Finding> Findings { get; init; }

    /// <summary>True when nothing of severity <see cref="Severity.Error"/> was found.</summary>
    public bool Healthy => !Findings.Any(f => f.Severity == Severity.Error);
}
