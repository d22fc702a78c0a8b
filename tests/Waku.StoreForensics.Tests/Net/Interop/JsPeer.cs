using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;

namespace Waku.StoreForensics.Tests.Net.Interop;

/// <summary>A js-libp2p node (tests/interop/js-libp2p/peer.mjs) run by a test; killed on dispose.</summary>
internal sealed class JsPeer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<JsonElement> _events = Channel.CreateUnbounded<JsonElement>();
    private readonly System.Text.StringBuilder _stderr = new();

    private JsPeer(Process process)
    {
        _process = process;
    }

    public static string Directory { get; } = FindDirectory("js-libp2p", "peer.mjs");

    public static Task<JsPeer> StartAsync(object config) => StartAsync(Directory, "peer.mjs", config);

    /// <summary>Starts <paramref name="script"/> in <paramref name="directory"/> (see <see cref="FindDirectory"/>).</summary>
    public static Task<JsPeer> StartAsync(string directory, string script, object config)
    {
        var psi = new ProcessStartInfo("node")
        {
            WorkingDirectory = directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(script);
        if (Environment.GetEnvironmentVariable("JS_LIBP2P_DEBUG") is { Length: > 0 } debug)
        {
            psi.Environment["DEBUG"] = debug;
        }

        psi.ArgumentList.Add(JsonSerializer.Serialize(config));
        var process = Process.Start(psi) ?? throw new InvalidOperationException("node did not start");
        var peer = new JsPeer(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                // stdout closed: the script ended, so no event can follow.
                peer._events.Writer.TryComplete();
            }
            else if (e.Data is { Length: > 0 } line && line[0] == '{')
            {
                peer._events.Writer.TryWrite(JsonDocument.Parse(line).RootElement.Clone());
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (peer._stderr)
            {
                peer._stderr.AppendLine(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return Task.FromResult(peer);
    }

    public string StdErr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Waits for the next event named <paramref name="name"/>, skipping others.</summary>
    public async Task<JsonElement> WaitForAsync(string name, TimeSpan timeout) => (await ReadUntilAsync(name, timeout))[^1];

    /// <summary>Every event up to and including the next one named <paramref name="name"/>.</summary>
    public async Task<List<JsonElement>> ReadUntilAsync(string name, TimeSpan timeout)
    {
        var events = new List<JsonElement>();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var e = await _events.Reader.ReadAsync(cts.Token);
                events.Add(e);
                if (e.GetProperty("event").GetString() == name)
                {
                    return events;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"js peer sent no '{name}' within {timeout}. stderr: {StdErr}");
        }
        catch (ChannelClosedException)
        {
            await _process.WaitForExitAsync(CancellationToken.None);
            throw new InvalidOperationException($"js script exited with code {_process.ExitCode} before sending '{name}'. stderr: {StdErr}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.StandardInput.Close();
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(3));
                try
                {
                    await _process.WaitForExitAsync(cts.Token);
                }
                catch (OperationCanceledException)
                {
                    _process.Kill(entireProcessTree: true);
                }
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }

    /// <summary>tests/interop/<paramref name="folder"/> above the test binaries, with its node_modules installed.</summary>
    public static string FindDirectory(string folder, string script)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "interop", folder);
            if (File.Exists(Path.Combine(candidate, script)))
            {
                if (!System.IO.Directory.Exists(Path.Combine(candidate, "node_modules")))
                {
                    throw new InvalidOperationException($"Run 'npm ci' in {candidate} first (.ci/run does).");
                }

                return candidate;
            }
        }

        throw new InvalidOperationException($"tests/interop/{folder} not found above " + AppContext.BaseDirectory);
    }
}
