namespace Waku.StoreForensics.Schema;

/// <summary>Where a release keeps the Peer table.</summary>
public enum PeerStorageLocation
{
    /// <summary>No peer persistence (v0.1–v0.2).</summary>
    None,

    /// <summary>In the message file <c>store.sqlite3</c>, sharing its user_version (v0.3–v0.12).</summary>
    MessageFile,

    /// <summary>In a separate <c>peers.db</c> with its own user_version 1 (v0.13+).</summary>
    PeersDb,
}

/// <summary>A range of nwaku releases that write the same store: layout, user_version, peer file, quirks.</summary>
/// <param name="FirstTag">First git tag of the range.</param>
/// <param name="LastTag">Last git tag of the range.</param>
/// <param name="FirstTagDate">Date of <paramref name="FirstTag"/>.</param>
/// <param name="MessageLayout">Layout a fresh node of these releases creates (or migrates to).</param>
/// <param name="MessageUserVersion">user_version it sets on the message file.</param>
/// <param name="Peers">Where it keeps peers.</param>
/// <param name="Notes">What distinguishes the range.</param>
public sealed record NwakuReleaseRange(
    string FirstTag,
    string LastTag,
    DateOnly FirstTagDate,
    MessageSchemaId MessageLayout,
    int MessageUserVersion,
    PeerStorageLocation Peers,
    string Notes);

/// <summary>
/// user_version and layout per nwaku release, from nwaku's tags (migration targets in
/// <c>waku_archive*/driver/sqlite_driver/migrations.nim</c> and their predecessors).
/// </summary>
public static class NwakuReleases
{
    /// <summary>Every range, oldest first.</summary>
    public static IReadOnlyList<NwakuReleaseRange> All { get; } =
    [
        new("v0.1", "v0.2", new(2020, 11, 27), MessageSchemaId.S0, 1, PeerStorageLocation.None,
            "Table 'messages'; user_version forced to 1 on every open; receive time in whole seconds."),
        new("v0.3", "v0.4", new(2021, 5, 11), MessageSchemaId.S1, 1, PeerStorageLocation.MessageFile,
            "user_version forced to 1 on every open; receive time in whole seconds; every row loaded into RAM at start."),
        new("v0.5", "v0.7", new(2021, 7, 22), MessageSchemaId.S2, 2, PeerStorageLocation.MessageFile,
            "REAL seconds (v0.7 rounds to ms). v0.5/v0.6 Docker images shipped no scripts yet set user_version 2 over v0.4 tables (#791)."),
        new("v0.8", "v0.8", new(2022, 3, 2), MessageSchemaId.S4, 4, PeerStorageLocation.MessageFile,
            "Nanosecond columns, but receive times are seconds × 1e8 (getNanosecondTime bug); 00003 converted old rows × 1e9."),
        new("v0.9", "v0.11", new(2022, 3, 29), MessageSchemaId.S4, 4, PeerStorageLocation.MessageFile,
            "Receive time whole seconds × 1e9; v0.9–v0.10 VACUUM after every capacity deletion; v0.10+ index i_rt."),
        new("v0.12.0", "v0.12.0", new(2022, 10, 6), MessageSchemaId.S7, 7, PeerStorageLocation.MessageFile,
            "Table renamed to lowercase 'message'; storedAt; 00007 dropped rows colliding on the new key."),
        new("v0.13.0", "v0.22.0", new(2022, 11, 15), MessageSchemaId.S7, 7, PeerStorageLocation.PeersDb,
            "Separate peers.db. v0.14–v0.18 files may carry user_version 0 (#2027; v0.20 forces 7). Full ns precision from v0.16."),
        new("v0.23.0", "v0.27.0", new(2023, 12, 20), MessageSchemaId.S8, 8, PeerStorageLocation.PeersDb,
            "messageHash key; rows migrated by 00008 hold randomblob(32). Peer rows: only peerId and storedInfo written."),
        new("v0.28.0", "v0.34.0", new(2024, 5, 22), MessageSchemaId.S9, 9, PeerStorageLocation.PeersDb,
            "meta column (00009). v0.31+ legacy and new drivers share the file."),
        new("v0.35.0", "v0.37.x", new(2025, 3, 4), MessageSchemaId.S9, 9, PeerStorageLocation.PeersDb,
            "With --legacy-store=true (default until v0.36): only the legacy driver migrates, to 9."),
        new("v0.35.0", "v0.37.x", new(2025, 3, 4), MessageSchemaId.S10, 10, PeerStorageLocation.PeersDb,
            "With the legacy store off (default in v0.37): 00010 drops the sender timestamp and renames storedAt to timestamp."),
        new("v0.31.0", "v0.37.x", new(2024, 7, 17), MessageSchemaId.Native, 0, PeerStorageLocation.PeersDb,
            "New archive driver with migration disabled or scripts missing: its own CREATE, user_version 0."),
    ];

    /// <summary>The release ranges that write <paramref name="layout"/>.</summary>
    public static IReadOnlyList<NwakuReleaseRange> Producing(MessageSchemaId layout) =>
        All.Where(r => r.MessageLayout == layout).ToArray();
}
