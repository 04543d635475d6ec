namespace FollowUp.Jobs.Engine;

/// <summary>The message statuses <see cref="StateCountJob"/> counts (every one, zero when empty), given by the domain.</summary>
internal sealed record CountedStatuses(IReadOnlyList<string> Messages);
