namespace FollowUp.Jobs.Engine;

/// <summary>An auto-reset signal that can be awaited with a timeout: many sets before a wait wake it once.</summary>
internal sealed class WakeSignal : IDisposable
{
    private readonly SemaphoreSlim _semaphore = new(0, 1);

    public void Set()
    {
        try
        {
            _semaphore.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already set: one wake-up is pending, which is all a set means.
        }
    }

    /// <summary>Waits for a set or the timeout; true when set.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _semaphore.WaitAsync(timeout < TimeSpan.Zero ? TimeSpan.Zero : timeout, cancellationToken);

    public void Dispose() => _semaphore.Dispose();
}
