namespace Waku.StoreForensics.Net.Probe;

/// <summary>What one known client needs from a node: every group must be met by at least one protocol in it.</summary>
/// <param name="Id">Short identifier, e.g. <c>js-waku-2021-07</c>.</param>
/// <param name="Client">Who this is, in words.</param>
/// <param name="RequiredAnyOf">Groups of alternative protocol IDs; each group needs one match.</param>
/// <param name="Note">Why the row exists (incident, release boundary).</param>
public sealed record ClientExpectation(string Id, string Client, IReadOnlyList<IReadOnlyList<string>> RequiredAnyOf, string Note);

/// <summary>The table of what known clients expect from a Waku node (shared/reference/nwaku-store-format.md §5.3, §7).</summary>
public static class KnownClients
{
    /// <summary>Our own reseed path: store v3 or the legacy v2 store (beta4 encoding).</summary>
    public const string StoreForensicsReseed = "storeforensics-reseed";

    /// <summary>Every known client, in the order reports list them.</summary>
    public static IReadOnlyList<ClientExpectation> All { get; } =
    [
        new(StoreForensicsReseed, "waku-forensics reseed (this tool)",
            [["/vac/waku/store-query/3.0.0", "/vac/waku/store/2.0.0-beta4"]],
            "Store v3 (nwaku v0.28+) or legacy store 2.0.0-beta4 (v0.8–v0.36; v0.37 only with --legacy-store)."),
        new("js-waku-2021-07", "js-waku as released in July 2021",
            [["/vac/waku/relay/2.0.0-beta2"]],
            "Spoke relay 2.0.0-beta2 only; a node advertising only /vac/waku/relay/2.0.0 broke it (the seed regression)."),
        new("relay-2.0.0", "relay clients since August 2021 (js-waku, nwaku, go-waku)",
            [["/vac/waku/relay/2.0.0"]],
            "Gossipsub with the relay 2.0.0 protocol ID."),
        new("store-v2-client", "store v2 clients (@waku/sdk ≤ 0.0.26, nwaku ≤ v0.27 as client)",
            [["/vac/waku/store/2.0.0-beta4"]],
            "Legacy HistoryRPC store; v0.3–v0.7's beta3 used two incompatible encodings and is not accepted here."),
        new("store-beta3-client", "store clients of 2021 (nwaku v0.3-v0.7, js-waku 0.3.0-0.12.x)",
            [["/vac/waku/store/2.0.0-beta3"]],
            "One protocol ID, two encodings (nwaku PR #676, v0.5): which one the node answers in is in the probe's beta3 fields, not in this row."),
        new("store-v3-client", "store v3 clients (@waku/sdk after 0.0.26, nwaku v0.28+ as client)",
            [["/vac/waku/store-query/3.0.0"]],
            "Store v3 query protocol."),
        new("light-client", "light clients (filter v2 and lightpush)",
            [["/vac/waku/filter-subscribe/2.0.0-beta1"], ["/vac/waku/lightpush/2.0.0-beta1"]],
            "What js-waku light nodes need from a service node."),
    ];

    /// <summary>Finds a client row by ID (ordinal, case-insensitive).</summary>
    public static ClientExpectation? Find(string id) =>
        All.FirstOrDefault(c => string.Equals(c.Id, id, StringComparison.OrdinalIgnoreCase));
}
