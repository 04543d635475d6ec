namespace FollowUp.Jobs.Engine;

/// <summary>An outbox as <see cref="OutboxLoop"/> sees it: give up to <c>limit</c> waiting rows their jobs.</summary>
internal interface IOutboxDrain
{
    /// <summary>For the loop's log.</summary>
    string Name { get; }

    /// <summary>Creates the jobs of at most <paramref name="limit"/> rows waiting for one, in one transaction; returns how many.</summary>
    Task<int> DispatchWaitingAsync(int limit, CancellationToken cancellationToken);
}
