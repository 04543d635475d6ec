namespace FollowUp.Jobs.Engine;

/// <summary>
/// The states of a job. Stored by name; every change is a guarded transition that names the state it
/// expects the job to be in, and writes a history row.
/// </summary>
public enum JobState
{
    /// <summary>Waiting for its time (delayed, deferred, or recurring-enqueued for later).</summary>
    Scheduled,

    /// <summary>Due now; waiting for a node to claim it.</summary>
    Enqueued,

    /// <summary>Claimed by a node, under a lease that node extends while alive.</summary>
    Processing,

    /// <summary>Finished without error. Never runs again unless requeued by a person.</summary>
    Succeeded,

    /// <summary>An attempt failed and a retry is scheduled at the job's run time.</summary>
    Failed,

    /// <summary>Attempts exhausted or a permanent failure; a row is in the dead-letter table.</summary>
    DeadLettered,

    /// <summary>Cancelled before it ran (from Scheduled, Enqueued or Failed).</summary>
    Cancelled,
}
