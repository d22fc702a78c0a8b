using System.Text.Json;
using System.Text.Json.Serialization;

namespace Waku.StoreForensics.SampleGenerator;

/// <summary>One byte-level change a scenario made to a file.</summary>
/// <param name="File">File name, relative to <c>scenario.json</c>.</param>
/// <param name="Offset">First byte changed (for a truncation: the new length).</param>
/// <param name="Length">Number of bytes changed (for a truncation: the bytes cut off).</param>
/// <param name="Action">What was done: <c>zeroed</c>, <c>overwritten</c>, <c>bit-flipped</c> or <c>truncated</c>.</param>
/// <param name="Target">What the bytes were (e.g. "Message leaf page 7", "i_ts entry timestamp").</param>
public sealed record ByteDamage(string File, long Offset, long Length, string Action, string Target);

/// <summary>A written row changed afterwards by an SQL update (semantic damage), as SQLite itself stores it now.</summary>
/// <param name="Key">Key of the row as written.</param>
/// <param name="NewKey">Key of the row after the update (equal to <paramref name="Key"/> unless the key itself was changed).</param>
/// <param name="Change">What was changed, in words.</param>
/// <param name="NewFingerprint"><see cref="RowFingerprint"/> of the row after the update.</param>
public sealed record AlteredRow(string Key, string NewKey, string Change, string NewFingerprint);

/// <summary>A Message row written into the store, with its fingerprint.</summary>
/// <param name="Key">Primary key text (<c>MessageRowValidator.FormatKey</c>, as in <c>Finding.Location.Key</c>).</param>
/// <param name="Fingerprint"><see cref="RowFingerprint"/> of the values written, in declaration order.</param>
/// <param name="InWalOnly">True when the row was committed to the WAL and never checkpointed into the database file.</param>
public sealed record WrittenRow(string Key, string Fingerprint, bool InWalOnly = false);

/// <summary>
/// The ground truth of one damaged store (<c>scenario.json</c>): what was written, deleted and changed, which
/// rows are still physically intact in the damaged bytes, and what <c>scan</c> must report.
/// </summary>
public sealed record ScenarioManifest
{
    /// <summary>File name of the manifest in a scenario folder.</summary>
    public const string FileName = "scenario.json";

    /// <summary>Scenario name (see <see cref="DamageScenarios.Names"/>).</summary>
    public required string Scenario { get; init; }

    /// <summary>What the scenario does, in one sentence.</summary>
    public required string Description { get; init; }

    /// <summary>Message layout (catalog id, e.g. S1 for v0.4, S10 for the latest).</summary>
    public required string Layout { get; init; }

    /// <summary>Seed of the healthy store and of every damage choice.</summary>
    public required int Seed { get; init; }

    /// <summary>Message table name.</summary>
    public required string MessageTable { get; init; }

    /// <summary>Database file name (its <c>-wal</c>, when present, sits next to it).</summary>
    public required string MessageFile { get; init; }

    /// <summary>SQL statements run on the store before any byte damage (retention deletes, semantic updates, WAL-only inserts), in order.</summary>
    public required IReadOnlyList<string> SqlStatements { get; init; }

    /// <summary>Byte-level damage, in the order applied.</summary>
    public required IReadOnlyList<ByteDamage> Damage { get; init; }

    /// <summary>Every Message row written, in insertion order.</summary>
    public required IReadOnlyList<WrittenRow> Written { get; init; }

    /// <summary>Keys of written rows deleted by SQL (nwaku retention).</summary>
    public required IReadOnlyList<string> Deleted { get; init; }

    /// <summary>Written rows whose values were changed by SQL updates.</summary>
    public required IReadOnlyList<AlteredRow> Altered { get; init; }

    /// <summary>
    /// Keys of live rows whose bytes (cell and overflow pages, as located before the byte damage, WAL frames
    /// included) are all unchanged in the damaged files.
    /// </summary>
    public required IReadOnlyList<string> Intact { get; init; }

    /// <summary>
    /// Keys of deleted rows whose record bytes (everything after the cell's first 4 bytes, which a freeblock header
    /// overwrites, and their overflow pages after each page's 4-byte next pointer) are unchanged at their old place:
    /// carvable from free space.
    /// </summary>
    public required IReadOnlyList<string> DeletedIntact { get; init; }

    /// <summary>Finding kinds (<c>FindingKind</c> names) <c>scan</c> must report; empty when the store must scan clean.</summary>
    public required IReadOnlyList<string> ExpectedFindings { get; init; }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // SQL quotes and dashes stay readable
    };

    /// <summary>Writes the manifest as indented camel-case JSON.</summary>
    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, JsonOptions));

    /// <summary>Reads a manifest written by <see cref="Save"/>.</summary>
    public static ScenarioManifest Load(string path) =>
        JsonSerializer.Deserialize<ScenarioManifest>(File.ReadAllText(path), JsonOptions)
        ?? throw new InvalidDataException($"{path} holds no scenario manifest.");
}
