namespace Waku.StoreForensics.Scanning;

/// <summary>The background reads of the evidence (hashing, page maps, SQLite's checks) that run beside a command's own work.</summary>
internal static class BackgroundWork
{
    /// <summary>
    /// Waits for <paramref name="task"/> and swallows its failure: used in <c>finally</c> so that a failed run never
    /// leaves a reader of the evidence behind; a failure that matters was already observed where its result was used.
    /// </summary>
    public static void WaitQuietly(Task task)
    {
        try
        {
            task.Wait(CancellationToken.None);
        }
        catch (AggregateException)
        {
        }
    }
}
