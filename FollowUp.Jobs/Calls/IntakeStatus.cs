namespace FollowUp.Jobs.Calls;

/// <summary>What became of a call webhook handed to <see cref="CallIntake"/>.</summary>
public enum IntakeStatus
{
    /// <summary>Processed now: its messages and jobs are committed (202).</summary>
    Accepted,

    /// <summary>The same event was processed before; nothing new (200, the same reply).</summary>
    Duplicate,

    /// <summary>The event id was used before with a different body (409); nothing new.</summary>
    Conflict,

    /// <summary>Journaled, but processing failed; the error is recorded and it can be replayed (500).</summary>
    Failed,

    /// <summary>Replay of an entry that does not exist.</summary>
    NotFound,
}
