using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Waku.StoreForensics.Net;
using Waku.StoreForensics.Net.Crypto;
using Waku.StoreForensics.Net.Multiformats;
using Waku.StoreForensics.Store;

namespace Waku.StoreForensics.Cli.Commands;

/// <summary><c>query --peer &lt;multiaddr&gt; [filters]</c>: a paged store v3 query, every message re-hashed before it is printed.</summary>
internal static class QueryCommand
{
    public static Command Create()
    {
        var peer = new Option<string>("--peer") { Description = "Store node address, e.g. /ip4/1.2.3.4/tcp/60000/p2p/16Uiu2…", Required = true };
        var pubsub = new Option<string?>("--pubsub-topic") { Description = "Only messages on this pubsub topic, e.g. /waku/2/rs/1/0." };
        var content = new Option<string[]>("--content-topic") { Description = "Only messages on these content topics (repeatable, at most 10).", AllowMultipleArgumentsPerToken = true };
        var from = new Option<string?>("--from") { Description = "Only messages with timestamp ≥ this: Unix nanoseconds, or an ISO-8601 date/time (UTC unless it names an offset)." };
        var to = new Option<string?>("--to") { Description = "Only messages with timestamp ≤ this (same forms as --from)." };
        var hashes = new Option<string[]>("--hash") { Description = "Look these message hashes up (64 hex digits each, repeatable) instead of filtering.", AllowMultipleArgumentsPerToken = true };
        var hashesOnly = new Option<bool>("--hashes-only") { Description = "Ask for message hashes only (include_data = false)." };
        var pageSize = new Option<int>("--page-size") { Description = "Messages per page, 1–100.", DefaultValueFactory = _ => 20 };
        var legacy = new Option<string?>("--legacy")
        {
            Description = "Use a legacy store instead of store v3: 'beta4' (the default when the option stands alone; /vac/waku/store/2.0.0-beta4, nwaku v0.8–v0.36) or 'beta3' (/vac/waku/store/2.0.0-beta3, nwaku v0.3–v0.7, 2021). Needs --pubsub-topic, no --hashes-only or --hash.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        legacy.AcceptOnlyFromAmong("beta4", "beta3");
        var beta3Encoding = new Option<string>("--beta3-encoding")
        {
            Description = "With --legacy beta3: the field numbers to speak, 'v0.3-v0.4' or 'v0.5-v0.7' (nwaku PR #676 renumbered them under the same protocol ID), or 'auto' to detect them from the node's first answer.",
            DefaultValueFactory = _ => "auto",
        };
        beta3Encoding.AcceptOnlyFromAmong("auto", "v0.3-v0.4", "v0.5-v0.7");
        var backward = new Option<bool>("--backward") { Description = "Page from newest to oldest (each page is still in ascending order)." };
        var maxPages = new Option<int>("--max-pages") { Description = "Stop after this many pages.", DefaultValueFactory = _ => 100_000 };
        var network = new NetworkOptions();
        var json = CommonOptions.Json();

        var command = new Command("query", "Query a node's store (/vac/waku/store-query/3.0.0, /vac/waku/store/2.0.0-beta4 with --legacy, /vac/waku/store/2.0.0-beta3 with --legacy beta3) page by page and print the messages (or hashes). Every message is re-hashed; one whose hash does not match is reported on stderr, never printed as valid. Exit 0 when the query completed and every message was valid, 1 when the node refused, broke off, or sent messages that were rejected (what arrived valid is still printed), 2 when the arguments are bad or the node cannot be reached or has no store v3.")
        {
            peer, pubsub, content, from, to, hashes, hashesOnly, pageSize, legacy, beta3Encoding, backward, maxPages, json,
        };
        network.AddTo(command);

        command.SetAction((parse, ct) => CommandGuard.RunAsync(async token =>
        {
            if (!Multiaddress.TryParse(parse.GetValue(peer)!, out var target))
            {
                throw new ArgumentException($"'{parse.GetValue(peer)}' is not a multiaddress this tool can dial (ip4/ip6/dns + tcp [+ p2p]).");
            }

            var query = new StoreQuery
            {
                PubsubTopic = parse.GetValue(pubsub),
                ContentTopics = parse.GetValue(content) ?? [],
                TimeStart = parse.GetValue(from) is { } f ? ParseTime(f, "--from") : null,
                TimeEnd = parse.GetValue(to) is { } t ? ParseTime(t, "--to") : null,
                MessageHashes = (parse.GetValue(hashes) ?? []).Select(ParseHash).ToArray(),
                IncludeData = !parse.GetValue(hashesOnly),
                Forward = !parse.GetValue(backward),
                PageSize = parse.GetValue(pageSize),
            };
            query.Validate();
            // A bare --legacy keeps its original meaning, beta4.
            string? legacyVersion = parse.GetResult(legacy) is null ? null : parse.GetValue(legacy) ?? "beta4";
            if (legacyVersion is not null && (query.PubsubTopic is null || !query.IncludeData || query.MessageHashes.Count > 0))
            {
                throw new ArgumentException("--legacy needs --pubsub-topic and cannot be combined with --hashes-only or --hash.");
            }

            Beta3Encoding? pinned = parse.GetValue(beta3Encoding) switch
            {
                "v0.3-v0.4" => Beta3Encoding.Nwaku03To04,
                "v0.5-v0.7" => Beta3Encoding.Nwaku05To07,
                _ => null,
            };
            if (legacyVersion != "beta3" && parse.GetResult(beta3Encoding) is { Implicit: false })
            {
                throw new ArgumentException("--beta3-encoding applies only with --legacy beta3.");
            }

            if (legacyVersion == "beta3" && (query.TimeStart is null) != (query.TimeEnd is null))
            {
                throw new ArgumentException("--legacy beta3 needs both --from and --to or neither: nwaku v0.4 ignores a time filter with one bound.");
            }
            var clientOptions = network.Client(parse, parse.GetValue(maxPages));
            using var identity = Identity.CreateSecp256k1();
            await using var host = new Libp2pHost(network.Host(parse, identity));
            Libp2pConnection connection;
            try
            {
                connection = await host.DialAsync(target!, token).ConfigureAwait(false);
            }
            catch (Libp2pException e)
            {
                await Console.Error.WriteLineAsync($"error: cannot reach {target}: {e.Reason}: {e.Message}").ConfigureAwait(false);
                return ExitCodes.CouldNotRun;
            }

            if (legacyVersion == "beta3")
            {
                var beta3 = new Beta3StoreClient(connection, pinned, clientOptions);
                var verdict = new Beta3EncodingVerdict(pinned, pinned is null ? Beta3EncodingSource.Undetermined : Beta3EncodingSource.Pinned, null, "No page was received.");
                async IAsyncEnumerable<StorePage> Beta3Pages(StoreQuery q, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken c)
                {
                    await foreach (var page in beta3.QueryPagesAsync(q, c).ConfigureAwait(false))
                    {
                        verdict = page.Encoding;
                        yield return page.Page;
                    }
                }

                return await RunAsync(Beta3Pages, query, parse.GetValue(json), token, Beta3StoreClient.ProtocolId, () => verdict).ConfigureAwait(false);
            }

            Func<StoreQuery, CancellationToken, IAsyncEnumerable<StorePage>> pages = legacyVersion is not null
                ? new LegacyStoreClient(connection, clientOptions).QueryPagesAsync
                : new StoreQueryClient(connection, clientOptions).QueryPagesAsync;
            return await RunAsync(pages, query, parse.GetValue(json), token, legacyVersion is not null ? LegacyStoreClient.ProtocolId : StoreQueryClient.ProtocolId, null).ConfigureAwait(false);
        }, ct));
        return command;
    }

    /// <summary>Streams the pages to stdout (text or JSON lines), rejections and the summary to stderr (and to the JSON).</summary>
    /// <param name="queryPages">The client's page stream.</param>
    /// <param name="query">The query.</param>
    /// <param name="json">JSON lines instead of text.</param>
    /// <param name="cancellationToken">Ctrl+C.</param>
    /// <param name="protocol">The protocol ID queried, for the summary.</param>
    /// <param name="beta3Verdict">With beta3: the encoding verdict as it stands, read when the summary is written.</param>
    private static async Task<int> RunAsync(Func<StoreQuery, CancellationToken, IAsyncEnumerable<StorePage>> queryPages, StoreQuery query, bool json, CancellationToken cancellationToken, string protocol, Func<Beta3EncodingVerdict>? beta3Verdict)
    {
        using var stdout = new BufferedStream(Console.OpenStandardOutput(), 1 << 16);
        using var writer = JsonOutput.CreateWriter(stdout);
        using var text = new StreamWriter(stdout, leaveOpen: true);
        long messages = 0, rejected = 0, bytes = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew(); // the query alone: the connection is already up
        int pages = 0;
        StoreException? failure = null;
        try
        {
            await foreach (var page in queryPages(query, cancellationToken).ConfigureAwait(false))
            {
                pages++;
                bytes += page.ResponseBytes;
                messages += page.Messages.Count;
                rejected += page.Rejected.Count;
                foreach (var m in page.Messages)
                {
                    if (json)
                    {
                        WriteMessage(writer, m);
                        FlushLine(writer, stdout);
                    }
                    else
                    {
                        await text.WriteLineAsync(FormatMessage(m)).ConfigureAwait(false);
                    }
                }

                foreach (var r in page.Rejected)
                {
                    if (json)
                    {
                        writer.WriteStartObject();
                        writer.WriteString("type", "rejected");
                        writer.WriteNumber("page", r.Page);
                        writer.WriteString("reason", JsonNamingPolicy.SnakeCaseLower.ConvertName(r.Reason.ToString()));
                        writer.WriteString("claimed_hash", r.ClaimedHash);
                        if (r.ComputedHash is { } computed)
                        {
                            writer.WriteString("computed_hash", computed);
                        }

                        writer.WriteString("detail", r.Detail);
                        writer.WriteEndObject();
                        FlushLine(writer, stdout);
                    }

                    await Console.Error.WriteLineAsync($"rejected (page {r.Page}): {r.Reason} {r.ClaimedHash} {r.Detail}").ConfigureAwait(false);
                }

                if (!json)
                {
                    await text.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (StoreException e)
        {
            failure = e;
        }

        await text.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        if (json)
        {
            writer.WriteStartObject();
            writer.WriteString("type", "summary");
            writer.WriteString("protocol", protocol);
            if (beta3Verdict?.Invoke() is { } verdict)
            {
                writer.WriteString("beta3_encoding", verdict.Encoding is { } e ? Beta3EncodingVerdict.ReleaseRange(e) : null);
                writer.WriteString("beta3_encoding_source", JsonNamingPolicy.SnakeCaseLower.ConvertName(verdict.Source.ToString()));
                writer.WriteString("beta3_encoding_explanation", verdict.Explanation);
            }

            writer.WriteBoolean("complete", failure is null);
            writer.WriteNumber("pages", pages);
            writer.WriteNumber("messages", messages);
            writer.WriteNumber("rejected", rejected);
            writer.WriteNumber("response_bytes", bytes);
            writer.WriteNumber("seconds", Math.Round(clock.Elapsed.TotalSeconds, 3));
            if (failure is not null)
            {
                writer.WriteString("error", JsonNamingPolicy.SnakeCaseLower.ConvertName(failure.Kind.ToString()));
                if (failure.StatusCode is { } code)
                {
                    writer.WriteNumber("status_code", code);
                }

                writer.WriteString("error_message", failure.Message);
            }

            writer.WriteEndObject();
            FlushLine(writer, stdout);
        }

        await stdout.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        if (beta3Verdict?.Invoke() is { } settled)
        {
            string encoding = settled.Encoding is { } e ? $"{Beta3EncodingVerdict.ReleaseRange(e)} field numbers" : "unknown";
            await Console.Error.WriteLineAsync($"beta3 encoding: {encoding} ({JsonNamingPolicy.SnakeCaseLower.ConvertName(settled.Source.ToString())}): {settled.Explanation}").ConfigureAwait(false);
        }

        await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{messages} message(s) in {pages} page(s), {rejected} rejected, {bytes} response bytes{(failure is null ? "" : $"; stopped: {failure.Kind}: {failure.Message}")}")).ConfigureAwait(false);
        if (failure is { Kind: StoreErrorKind.ProtocolNotSupported } && pages == 0)
        {
            return ExitCodes.CouldNotRun;
        }

        return failure is null && rejected == 0 ? ExitCodes.Healthy : ExitCodes.DamageFound;
    }

    private static void FlushLine(Utf8JsonWriter writer, Stream stream)
    {
        writer.Flush();
        writer.Reset();
        stream.WriteByte((byte)'\n');
    }

    private static void WriteMessage(Utf8JsonWriter writer, StoreMessage m)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "message");
        writer.WriteString("message_hash", m.MessageHashHex);
        if (m.PubsubTopic is { } pubsub)
        {
            writer.WriteString("pubsub_topic", pubsub);
        }

        if (m.HasData)
        {
            writer.WriteString("content_topic", m.ContentTopic);
            writer.WriteNumber("timestamp", m.Timestamp);
            writer.WriteNumber("version", m.Version);
            writer.WriteString("payload", Convert.ToBase64String(m.Payload));
            if (m.Meta is { } meta)
            {
                writer.WriteString("meta", Convert.ToBase64String(meta));
            }

            if (m.LegacyDigest is { } digest)
            {
                writer.WriteString("digest", Convert.ToHexStringLower(digest));
            }
        }

        writer.WriteEndObject();
    }

    /// <summary>One line per message: hash, time, topics, size.</summary>
    public static string FormatMessage(StoreMessage m)
    {
        if (!m.HasData)
        {
            return m.PubsubTopic is null ? m.MessageHashHex : $"{m.MessageHashHex}  {m.PubsubTopic}";
        }

        string time = m.Timestamp == 0 ? "(no timestamp)" : FormatTime(m.Timestamp);
        return string.Create(CultureInfo.InvariantCulture, $"{m.MessageHashHex}  {time}  {m.PubsubTopic}  {m.ContentTopic}  {m.Payload.Length} B{(m.Meta is null ? "" : $"  meta {Convert.ToHexStringLower(m.Meta)}")}");
    }

    private static string FormatTime(long unixNanoseconds) =>
        DateTimeOffset.UnixEpoch.AddTicks(unixNanoseconds / 100).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Unix nanoseconds, or an ISO-8601 date/time (UTC unless it carries an offset).</summary>
    public static long ParseTime(string value, string option)
    {
        if (long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out long ns))
        {
            return ns;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            return (time - DateTimeOffset.UnixEpoch).Ticks * 100;
        }

        throw new ArgumentException($"{option} '{value}' is neither Unix nanoseconds nor an ISO-8601 date/time.");
    }

    private static byte[] ParseHash(string hex)
    {
        string h = hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? hex[2..] : hex;
        if (h.Length != 64 || !h.All(Uri.IsHexDigit))
        {
            throw new ArgumentException($"--hash '{hex}' is not 64 hex digits.");
        }

        return Convert.FromHexString(h);
    }
}
