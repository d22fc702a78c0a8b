using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Waku.StoreForensics.Comparison;
using Waku.StoreForensics.Net.Probe;
using Waku.StoreForensics.PeerExchange;
using Waku.StoreForensics.Recovery;
using Waku.StoreForensics.Reseed;
using Waku.StoreForensics.Scanning;

namespace Waku.StoreForensics.Reporting;

/// <summary>
/// The JSON form of the reports (what the CLI's <c>--json</c> writes): snake_case names, enums as snake_case strings.
/// Reading it back gives the report records, so a post-mortem can be written from the files a response left behind.
/// </summary>
public static class ReportJson
{
    /// <summary>The serializer settings of every report (read-only: one format for every caller).</summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>
    /// Reads a report written by <c>scan</c>, <c>recover</c>, <c>reseed</c>, <c>reseed-peers</c>, <c>diff</c> or
    /// <c>probe</c> with <c>--json</c>: a <see cref="ScanReport"/>, <see cref="RecoveryReport"/>, <see cref="ReseedReport"/>,
    /// <see cref="PeerReseedReport"/>, <see cref="StoreDiffReport"/> or <see cref="ProbeReport"/>, told apart by the
    /// fields only that one has.
    /// </summary>
    /// <exception cref="InvalidDataException">Not JSON, or not one of those reports.</exception>
    public static object Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var info = new FileInfo(path);
        if (info.Exists && info.Length > 256L * 1024 * 1024)
        {
            throw new InvalidDataException($"{path} is {info.Length} bytes: larger than any report this tool writes.");
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            bool Has(string name) => root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out _);
            object? report = true switch
            {
                _ when Has("compared_by") => root.Deserialize<StoreDiffReport>(Options),
                _ when Has("messages_written") => root.Deserialize<RecoveryReport>(Options),
                _ when Has("missing_hashes") => root.Deserialize<ReseedReport>(Options),
                _ when Has("nodes") && Has("era") => root.Deserialize<PeerReseedReport>(Options),
                _ when Has("integrity_check") => root.Deserialize<ScanReport>(Options),
                _ when Has("verdicts") && Has("address") => root.Deserialize<ProbeReport>(Options),
                _ => null,
            };
            bool namesItsFiles = report switch
            {
                ScanReport s => s.Inputs.Count > 0,
                RecoveryReport r => r.Inputs.Count > 0,
                ReseedReport r => r.Before.Count > 0 && r.After.Count > 0,
                StoreDiffReport d => d.Left.Count > 0 && d.Right.Count > 0,
                _ => true,
            };
            return report is null ? throw new InvalidDataException($"{path} is JSON but not a report of scan, recover, reseed, reseed-peers, diff or probe (--json).")
                : namesItsFiles ? report
                : throw new InvalidDataException($"{path}: the report names no input file (every report this tool writes names at least one, with its SHA-256).");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not a readable report: {e.Message}", e);
        }
    }
}
