using System.Text.Json;
using Waku.StoreForensics.Net;
using Waku.StoreForensics.Net.Crypto;
using Waku.StoreForensics.Net.Multiformats;
using Waku.StoreForensics.Tests.Net.Interop;

namespace Waku.StoreForensics.Tests.Store.Interop;

/// <summary>A js peer script that serves messages from a file (the store peers), run by a test, plus a host dialled
/// to it; script, host and file are disposed together.</summary>
internal sealed class JsServingPeer : IAsyncDisposable
{
    private readonly string _file;

    private JsServingPeer(JsPeer js, Libp2pHost host, Libp2pConnection connection, Multiaddress address, string file)
    {
        Js = js;
        Host = host;
        Connection = connection;
        Address = address;
        _file = file;
    }

    public JsPeer Js { get; }

    public Libp2pHost Host { get; }

    public Libp2pConnection Connection { get; }

    public Multiaddress Address { get; }

    /// <summary>Writes <paramref name="messages"/> (serialised as JSON) to a temporary file, starts <paramref name="script"/>
    /// in tests/interop/<paramref name="folder"/> with <c>messages</c> = that file, <paramref name="config"/> and the
    /// properties of <paramref name="extra"/>, waits for its "listening" event (which must count
    /// <paramref name="count"/> messages) and dials it.</summary>
    public static async Task<JsServingPeer> StartAsync(string folder, string script, object messages, int count, Dictionary<string, object?> config, object? extra)
    {
        string file = Path.Combine(Path.GetTempPath(), $"{folder}-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(messages));
        config["messages"] = file;
        if (extra is not null)
        {
            foreach (var p in extra.GetType().GetProperties())
            {
                config[p.Name] = p.GetValue(extra);
            }
        }

        var js = await JsPeer.StartAsync(JsPeer.FindDirectory(folder, script), script, config);
        try
        {
            var listening = await js.WaitForAsync("listening", TimeSpan.FromSeconds(8));
            Assert.Equal(count, listening.GetProperty("messages").GetInt32());
            var address = Multiaddress.Parse(listening.GetProperty("addrs")[0].GetString()!);
            var host = new Libp2pHost(new Libp2pHostOptions(Identity.CreateEd25519()));
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var connection = await host.DialAsync(address, cts.Token);
            return new JsServingPeer(js, host, connection, address, file);
        }
        catch
        {
            await js.DisposeAsync();
            File.Delete(file);
            throw;
        }
    }

    /// <summary>Requests the peer logged so far (its "request" events), waiting briefly for <paramref name="count"/>.</summary>
    public async Task<List<JsonElement>> RequestsAsync(int count)
    {
        var list = new List<JsonElement>();
        for (int i = 0; i < count; i++)
        {
            list.Add(await Js.WaitForAsync("request", TimeSpan.FromSeconds(3)));
        }

        return list;
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await Js.DisposeAsync();
        File.Delete(_file);
    }
}
