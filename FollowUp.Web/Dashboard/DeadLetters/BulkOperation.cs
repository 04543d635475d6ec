namespace FollowUp.Web.Dashboard.DeadLetters;

/// <summary>
/// A bulk requeue of dead letters running on this node: how many matched when it started, how many it
/// has gone through, how many it requeued (one resolved meanwhile is skipped, not forced).
/// </summary>
internal sealed class BulkOperation(Guid id, string action, string description, string actor, long total)
{
    private long _processed;
    private long _changed;

    public Guid Id { get; } = id;

    public string Action { get; } = action;

    public string Description { get; } = description;

    public string Actor { get; } = actor;

    public long Total { get; } = total;

    public long Processed => Interlocked.Read(ref _processed);

    public long Changed => Interlocked.Read(ref _changed);

    public bool Finished { get; private set; }

    public string? Error { get; private set; }

    internal void Step(bool changed)
    {
        Interlocked.Increment(ref _processed);
        if (changed)
        {
            Interlocked.Increment(ref _changed);
        }
    }

    internal void Finish(string? error)
    {
        Error = error;
        Finished = true;
    }
}
