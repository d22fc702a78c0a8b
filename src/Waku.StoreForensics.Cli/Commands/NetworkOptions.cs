using System.CommandLine;
using Waku.StoreForensics.Net;
using Waku.StoreForensics.Net.Crypto;
using Waku.StoreForensics.Net.Metadata;
using Waku.StoreForensics.Store;

namespace Waku.StoreForensics.Cli.Commands;

/// <summary>The options of the commands that talk to store nodes: timeouts, retries, and what we answer on metadata.</summary>
internal sealed class NetworkOptions
{
    private readonly Option<int> _retries = new("--retries") { Description = "Times a page is asked again after a timeout, a broken stream or status 429/503/504.", DefaultValueFactory = _ => 2 };
    private readonly Option<double> _timeout = new("--timeout") { Description = "Seconds allowed for connecting, and for each page.", DefaultValueFactory = _ => 20 };
    private readonly Option<uint> _clusterId = new("--cluster-id") { Description = "Cluster ID answered on /vac/waku/metadata/1.0.0 (nwaku drops peers of another cluster).", DefaultValueFactory = _ => 1 };
    private readonly Option<uint[]> _shards = new("--shard") { Description = "Shards answered on metadata (repeatable).", DefaultValueFactory = _ => [0, 1, 2, 3, 4, 5, 6, 7], AllowMultipleArgumentsPerToken = true };

    private readonly bool _withRetries;

    /// <param name="withRetries">Whether the command has store queries to retry (<c>--retries</c>).</param>
    public NetworkOptions(bool withRetries = true) => _withRetries = withRetries;

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (Option option in _withRetries ? [_retries, _timeout, _clusterId, _shards] : new Option[] { _timeout, _clusterId, _shards })
        {
            command.Options.Add(option);
        }
    }

    public TimeSpan Timeout(ParseResult parse) => TimeSpan.FromSeconds(Math.Max(0.1, parse.GetValue(_timeout)));

    /// <summary>Store client limits: <c>--timeout</c> per page, <c>--retries</c>, no total limit.</summary>
    public StoreClientOptions Client(ParseResult parse, int maxPages = 100_000)
    {
        var options = new StoreClientOptions { RequestTimeout = Timeout(parse), TotalTimeout = System.Threading.Timeout.InfiniteTimeSpan, MaxPages = maxPages, MaxRetries = parse.GetValue(_retries) };
        options.Validate();
        return options;
    }

    /// <summary>Host settings for <paramref name="identity"/> with <c>--timeout</c> and the metadata answer.</summary>
    public Libp2pHostOptions Host(ParseResult parse, Identity identity)
    {
        var seconds = Timeout(parse);
        return new Libp2pHostOptions(identity)
        {
            ConnectTimeout = seconds,
            HandshakeTimeout = seconds,
            StreamNegotiationTimeout = seconds,
            HandlerTimeout = seconds,
            WakuMetadata = new WakuMetadataOptions(parse.GetValue(_clusterId), parse.GetValue(_shards) ?? []),
        };
    }
}
