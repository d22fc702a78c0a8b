using System.CommandLine;
using System.Diagnostics;
using Waku.StoreForensics.SampleGenerator;
using Waku.StoreForensics.Schema;

var output = new Option<DirectoryInfo>("--out") { Description = "Directory to write store.sqlite3, peers.db and manifest.json into.", Required = true };
var layout = new Option<MessageSchemaId>("--layout") { Description = "Message layout: S0, S1, S2, S4, S7, S8, S9, S10 or Native.", DefaultValueFactory = _ => MessageSchemaId.S10 };
var seed = new Option<int>("--seed") { Description = "Seed of every random choice.", DefaultValueFactory = _ => 1 };
var messages = new Option<int>("--messages") { Description = "Number of messages.", DefaultValueFactory = _ => 200 };
var targetMegabytes = new Option<long?>("--target-mb") { Description = "Generate messages until their payloads reach this many MiB (benchmarks); overrides --messages." };
var peers = new Option<int>("--peers") { Description = "Number of peers.", DefaultValueFactory = _ => 12 };
var noRows = new Option<bool>("--no-row-list") { Description = "Leave the per-row list out of the manifest (huge files)." };
var cache = new Option<int>("--cache-mb") { Description = "SQLite page cache while writing, MiB.", DefaultValueFactory = _ => 64 };
var scenario = new Option<string?>("--scenario")
{
    Description = $"Damage scenario to write instead of a healthy store, or 'all': {string.Join(", ", DamageScenarios.Names)}. " +
        "Each goes into <out>/<scenario>-<v0.4|v0.37> with scenario.json.",
};

var root = new RootCommand("Writes a deterministic, healthy nwaku-shaped SQLite store with its ground-truth manifest.")
{
    output, layout, seed, messages, targetMegabytes, peers, noRows, cache, scenario,
};
root.SetAction(parse =>
{
    if (parse.GetValue(scenario) is { } scenarioName)
    {
        string[] names = scenarioName == "all" ? [.. DamageScenarios.Names] : [scenarioName];
        if (names.Except(DamageScenarios.Names).FirstOrDefault() is { } unknown)
        {
            Console.Error.WriteLine($"unknown scenario \"{unknown}\"; known: {string.Join(", ", DamageScenarios.Names)}, all");
            return 2;
        }

        foreach (string name in names.Where(n => scenarioName != "all" || DamageScenarios.AppliesTo(n, parse.GetValue(layout))))
        {
            var timer = Stopwatch.StartNew();
            string folder = Path.Combine(parse.GetValue(output)!.FullName, DamageScenarios.FolderName(name, parse.GetValue(layout)));
            ScenarioManifest result = DamageScenarios.Generate(folder, name, parse.GetValue(layout), parse.GetValue(seed), parse.GetValue(messages));
            Console.WriteLine($"{folder}: {result.Written.Count} written, {result.Deleted.Count} deleted, {result.Altered.Count} altered, " +
                $"{result.Intact.Count} intact, expects [{string.Join(", ", result.ExpectedFindings)}] in {timer.Elapsed.TotalSeconds:F1} s");
        }

        return 0;
    }

    var options = new SampleStoreOptions
    {
        Seed = parse.GetValue(seed),
        Layout = parse.GetValue(layout),
        MessageCount = parse.GetValue(messages),
        TargetPayloadBytes = parse.GetValue(targetMegabytes) * 1024 * 1024,
        PeerCount = parse.GetValue(peers),
        ListRowsInManifest = !parse.GetValue(noRows),
        CacheMebibytes = parse.GetValue(cache),
    };
    string directory = parse.GetValue(output)!.FullName;
    var stopwatch = Stopwatch.StartNew();
    GroundTruthManifest manifest = SampleStoreGenerator.Generate(directory, options);
    stopwatch.Stop();
    long fileBytes = new FileInfo(Path.Combine(directory, manifest.MessageFile)).Length;
    Console.WriteLine($"{manifest.Layout}: {manifest.MessageCount} messages ({manifest.PayloadBytes / 1048576.0:F1} MiB payload, {manifest.OverflowingMessages} overflowing), " +
        $"{manifest.Peers.Count} peers, {manifest.MessageFile} {fileBytes / 1048576.0:F1} MiB in {stopwatch.Elapsed.TotalSeconds:F1} s " +
        $"({manifest.MessageCount / stopwatch.Elapsed.TotalSeconds:F0} rows/s, {fileBytes / 1048576.0 / stopwatch.Elapsed.TotalSeconds:F1} MiB/s)");
    return 0;
});
return await root.Parse(args).InvokeAsync();
