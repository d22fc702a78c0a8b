namespace Waku.StoreForensics.Cli;

/// <summary>Every exit code the tool returns, in one place.</summary>
public static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>Bad arguments.</summary>
    public const int Usage = 1;

    /// <summary>The node could not be reached or the libp2p handshake failed.</summary>
    public const int DialFailed = 2;

    /// <summary>The node lacks a protocol an expected client needs.</summary>
    public const int MissingProtocol = 3;

    /// <summary>Cancelled (Ctrl+C).</summary>
    public const int Cancelled = 130;
}
