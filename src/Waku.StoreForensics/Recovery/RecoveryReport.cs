using Waku.StoreForensics.Scanning;
using Waku.StoreForensics.Schema;
using Waku.StoreForensics.Validation;

namespace Waku.StoreForensics.Recovery;

/// <summary>Whether a row is part of the database, was lost from it by damage, or had been deleted.</summary>
public enum RowState
{
    /// <summary>Reached through the live b-tree: what SQL would return.</summary>
    Live,
    /// <summary>Not reachable any more, but never deleted: orphaned by damage. Restored by default.</summary>
    Lost,
    /// <summary>Deleted (freeblocks, freelist, superseded or uncommitted versions). Restored only when asked.</summary>
    Deleted,
}

/// <summary>What became of a candidate row.</summary>
public enum RowVerdict
{
    /// <summary>Validated (key recomputed where nwaku's formula allows) and written to the output.</summary>
    Written,
    /// <summary>A valid deleted row, left out of the output (see <see cref="RecoveryOptions.IncludeDeleted"/>) and kept in the quarantine file.</summary>
    DeletedExcluded,
    /// <summary>Failed validation: kept in the quarantine file with the reason.</summary>
    Quarantined,
    /// <summary>Another candidate with the same key was chosen, with the same values.</summary>
    Duplicate,
    /// <summary>
    /// A valid copy of a key already written, but with other values in a column no key of the layout covers (the version,
    /// a receive time, v0.4's pubsub topic): one of the two copies is damaged and nothing proves which. The written copy
    /// (from the better source) stays; this one is kept in the quarantine file.
    /// </summary>
    Conflicting,
}

/// <summary>How recovery should run.</summary>
public sealed record RecoveryOptions
{
    /// <summary>Database to create. It must not exist unless <see cref="Overwrite"/> is set.</summary>
    public required string OutputPath { get; init; }

    /// <summary>Message layout to write; null for the input's own layout.</summary>
    public MessageSchemaId? TargetLayout { get; init; }

    /// <summary>Also write valid deleted rows (they are always reported and kept in the quarantine file).</summary>
    public bool IncludeDeleted { get; init; }

    /// <summary>Replace an existing output file.</summary>
    public bool Overwrite { get; init; }

    /// <summary>
    /// Write a Message row whose only fault is TEXT where nwaku binds BLOB (a hand reseed; nwaku's queries never find
    /// such a row) with those values as BLOBs, when the key then proves them; each such row is also listed in the
    /// quarantine file. Off by default: one damaged header byte also turns a BLOB into TEXT, and nothing tells the two apart.
    /// </summary>
    public bool TextAsBlob { get; init; }

    /// <summary>Settings of the Message and Peer row validators.</summary>
    public RowValidationOptions Validation { get; init; } = new();

}

/// <summary>Rows of one table, from one source, with one verdict.</summary>
/// <param name="Table">"message" or "peer".</param>
/// <param name="Source">Where the candidates were found (live b-tree, orphan cell, freeblock, WAL frame, …).</param>
/// <param name="Verdict">What became of them.</param>
/// <param name="Rows">How many.</param>
public sealed record RecoveryCount(string Table, string Source, RowVerdict Verdict, long Rows);

/// <summary>The outcome of <see cref="StoreRecovery.Recover"/>.</summary>
public sealed record RecoveryReport
{
    /// <summary>Input files with their SHA-256 (unchanged by recovery).</summary>
    public required IReadOnlyList<EvidenceFile> Inputs { get; init; }
    /// <summary>When recovery started.</summary>
    public required DateTimeOffset StartedAt { get; init; }
    /// <summary>Wall time in seconds.</summary>
    public required double Seconds { get; init; }
    /// <summary>Message layout detected in the input.</summary>
    public required string InputLayout { get; init; }
    /// <summary>How the layout was detected: "schema table" or "record shapes".</summary>
    public required string LayoutDetectedFrom { get; init; }
    /// <summary>user_version of the input.</summary>
    public required int InputUserVersion { get; init; }
    /// <summary>The database written.</summary>
    public required string OutputPath { get; init; }
    /// <summary>Message layout written.</summary>
    public required string OutputLayout { get; init; }
    /// <summary>user_version written.</summary>
    public required int OutputUserVersion { get; init; }
    /// <summary>Database beside the output: rejected and excluded rows with reasons (<c>quarantine</c>), and where every written row was found (<c>provenance</c>).</summary>
    public required string QuarantinePath { get; init; }
    /// <summary>Message rows written.</summary>
    public required long MessagesWritten { get; init; }
    /// <summary>Peer rows written.</summary>
    public required long PeersWritten { get; init; }
    /// <summary>Rows kept in the quarantine file (rejected plus excluded deleted rows).</summary>
    public required long QuarantinedRows { get; init; }
    /// <summary>Live or lost rows that failed validation: damage inside rows that were part of the database.</summary>
    public required long QuarantinedLiveOrLost { get; init; }
    /// <summary>Error-level findings of the page reader on the input (file-format damage).</summary>
    public required int InputDamageFindings { get; init; }
    /// <summary>True when the input was damaged: file-format errors, or live/lost rows that failed validation.</summary>
    public bool DamageFound => InputDamageFindings > 0 || QuarantinedLiveOrLost > 0;
    /// <summary>Message rows written with TEXT values turned into BLOBs (<see cref="RecoveryOptions.TextAsBlob"/>).</summary>
    public long TextConverted { get; init; }
    /// <summary>Candidate records carved from every source before validation and de-duplication.</summary>
    public required long Candidates { get; init; }
    /// <summary>Rows per table × source × verdict.</summary>
    public required IReadOnlyList<RecoveryCount> Counts { get; init; }
    /// <summary>
    /// Per column of the input layout: written Message rows in which no matching key proves that column, so it holds
    /// only what the file says (see <see cref="Validation.MessageRowValidator.Verify"/>). The quarantine file's
    /// <c>provenance.unproven</c> names them row by row.
    /// </summary>
    public required IReadOnlyDictionary<string, long> UnprovenColumns { get; init; }
    /// <summary>
    /// Written Message rows whose receive time (<c>storedAt</c>, covered by no key) disagrees with the copy the live
    /// indexes <c>i_ts</c>/<c>i_query</c> keep of it (S8/S9): each is also listed in the quarantine file with both values.
    /// </summary>
    public required long IndexDisagreements { get; init; }
    /// <summary>The output passed integrity_check, reopened, and holds exactly the rows counted here.</summary>
    public required bool OutputVerified { get; init; }
    /// <summary>Findings about the input's layout (known broken states) and conversions made.</summary>
    public required IReadOnlyList<Finding> Notes { get; init; }
}
