using NodaTime;

namespace FollowUp.Jobs.Messages;

/// <summary>One pass of <see cref="JobReconciler"/>: overdue messages looked at, revived, and reported as unrevivable.</summary>
public sealed record ReconcilerRun(Instant At, int Checked, int Revived, int Unrevivable);
