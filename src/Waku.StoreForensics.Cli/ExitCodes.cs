namespace Waku.StoreForensics.Cli;

/// <summary>Exit codes of every command, in one place.</summary>
public static class ExitCodes
{
    /// <summary>Ran, and found nothing wrong.</summary>
    public const int Healthy = 0;
    /// <summary>Ran, and found damage (or a probe found an incompatibility).</summary>
    public const int DamageFound = 1;
    /// <summary>Could not run: missing file, not a database, permission, bad arguments.</summary>
    public const int CouldNotRun = 2;
    /// <summary>Cancelled by the user (Ctrl+C).</summary>
    public const int Cancelled = 130;
}
