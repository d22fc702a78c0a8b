// Throughput of one Noise + yamux stream over loopback: ours→ours, js→js (same run, same sizes) and ours→js.
// Run: dotnet run -c Release --project bench/Waku.StoreForensics.Libp2pBench -- [MiB per run] [runs]
// Needs `npm ci` in tests/interop/js-libp2p (bench.mjs lives next to the interop peer to share its pinned packages).
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Waku.StoreForensics.Net;
using Waku.StoreForensics.Net.Crypto;
using Waku.StoreForensics.Net.Multiformats;
using Waku.StoreForensics.Net.Muxing;

int mib = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 256;
int runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
long bytes = mib * 1024L * 1024;
string jsDir = FindJsDirectory();

Console.WriteLine($"one Noise+yamux stream over loopback, {mib} MiB per run, {runs} runs, median reported");
Console.WriteLine($"{Environment.ProcessorCount} logical CPUs, .NET {Environment.Version}, node {Run("node", ["--version"]).Trim()}");

var ours = new List<double>();
var js = new List<double>();
var oursToJs = new List<double>();
await using (var jsListener = await JsListener.StartAsync(jsDir))
{
    for (int i = 0; i < runs; i++)
    {
        ours.Add(await OursToOursAsync(bytes));
        js.Add(JsToJs(jsDir, bytes));
        oursToJs.Add(await OursToAddressAsync(jsListener.Address, bytes));
    }
}

Report("ours -> ours", ours);
Report("js   -> js  ", js);
Report("ours -> js  ", oursToJs);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio ours/js (median): {Median(ours) / Median(js):0.00}"));
return 0;

static async Task<double> OursToOursAsync(long bytes)
{
    await using var receiver = NewHost();
    receiver.SetHandler("/bench/sink/1.0.0", async (s, _, ct) =>
    {
        var buffer = new byte[256 * 1024];
        while (await s.ReadAsync(buffer, ct) > 0)
        {
        }

        await s.WriteAsync(new byte[] { 1 }, ct);
        await s.CloseWriteAsync(ct);
    });
    var address = await receiver.ListenAsync(new IPEndPoint(IPAddress.Loopback, 0));
    return await OursToAddressAsync(address, bytes);
}

static async Task<double> OursToAddressAsync(Multiaddress address, long bytes)
{
    await using var sender = NewHost();
    var connection = await sender.DialAsync(address);
    if (connection.Muxer != MuxerProtocols.Yamux)
    {
        throw new InvalidOperationException("expected yamux");
    }

    var stream = await connection.OpenStreamAsync("/bench/sink/1.0.0");
    var chunk = new byte[64 * 1024];
    for (int i = 0; i < chunk.Length; i++)
    {
        chunk[i] = (byte)i;
    }

    var clock = Stopwatch.StartNew();
    for (long sent = 0; sent < bytes; sent += chunk.Length)
    {
        await stream.WriteAsync(chunk);
    }

    await stream.CloseWriteAsync();
    var ack = new byte[1];
    await stream.ReadExactlyAsync(ack);
    return bytes / clock.Elapsed.TotalSeconds;
}

static double JsToJs(string jsDir, long bytes)
{
    var output = Run("node", ["bench.mjs", $"{{\"mode\":\"jsjs\",\"bytes\":{bytes}}}"], jsDir);
    var doc = JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement;
    return doc.GetProperty("bytes").GetDouble() / doc.GetProperty("seconds").GetDouble();
}

static Libp2pHost NewHost() => new(new Libp2pHostOptions(Identity.CreateEd25519()) { Muxers = [MuxerProtocols.Yamux] });

static void Report(string name, List<double> samples) =>
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{name}  median {Median(samples) / 1e6,8:0.0} MB/s   min {samples.Min() / 1e6:0.0}   max {samples.Max() / 1e6:0.0}"));

static double Median(List<double> samples)
{
    var sorted = samples.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}

static string Run(string file, string[] arguments, string? directory = null)
{
    var psi = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, UseShellExecute = false, WorkingDirectory = directory ?? Environment.CurrentDirectory };
    using var p = Process.Start(psi)!;
    string output = p.StandardOutput.ReadToEnd();
    p.WaitForExit();
    return output;
}

static string FindJsDirectory()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        var candidate = Path.Combine(dir.FullName, "tests", "interop", "js-libp2p");
        if (File.Exists(Path.Combine(candidate, "bench.mjs")))
        {
            return candidate;
        }
    }

    throw new InvalidOperationException("tests/interop/js-libp2p/bench.mjs not found");
}

internal sealed class JsListener : IAsyncDisposable
{
    private readonly Process _process;

    private JsListener(Process process, Multiaddress address)
    {
        _process = process;
        Address = address;
    }

    public Multiaddress Address { get; }

    public static async Task<JsListener> StartAsync(string jsDir)
    {
        var psi = new ProcessStartInfo("node", ["bench.mjs", "{\"mode\":\"listen\"}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = jsDir,
        };
        var p = Process.Start(psi)!;
        var line = await p.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("js listener died");
        var address = JsonDocument.Parse(line).RootElement.GetProperty("addrs")[0].GetString()!;
        return new JsListener(p, Multiaddress.Parse(address));
    }

    public async ValueTask DisposeAsync()
    {
        _process.StandardInput.Close();
        if (!_process.WaitForExit(3000))
        {
            _process.Kill(entireProcessTree: true);
        }

        await Task.CompletedTask;
        _process.Dispose();
    }
}
