namespace FollowUp.Jobs.Engine;

/// <summary>
/// Wakes this process's <see cref="OutboxLoop"/> at once: a committer that has just written rows needing
/// jobs (a call's plan, a reply's acknowledgement) signals instead of creating the jobs itself, so its
/// caller is answered at its commit and the jobs of many commits are created together in one batch. The
/// loop's poll stays as the net for rows committed by other processes or left by a crash.
/// </summary>
internal sealed class OutboxSignal : IDisposable
{
    // At most one pending wake: any number of signals while the loop is busy make one more pass.
    private readonly SemaphoreSlim _wake = new(0, 1);

    /// <summary>Asks for a pass as soon as the loop is free; never blocks.</summary>
    public void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // A pass is already due.
        }
        catch (ObjectDisposedException)
        {
            // The host is stopping; the next node's poll takes it.
        }
    }

    /// <summary>Waits for a signal or <paramref name="timeout"/>; true when signalled.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _wake.WaitAsync(timeout, cancellationToken);

    public void Dispose() => _wake.Dispose();
}
