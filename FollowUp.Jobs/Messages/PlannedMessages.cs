namespace FollowUp.Jobs.Messages;

/// <summary>
/// Messages planned inside a transaction: their ids in input order, and those that will be sent (not
/// skipped). After the transaction commits, pass this to <see cref="IMessageClient.DispatchAsync"/> to
/// create their Hangfire jobs at once; otherwise the dispatcher creates them within about two seconds.
/// </summary>
public sealed record PlannedMessages(IReadOnlyList<long> Ids, IReadOnlyList<long> Sendable);
