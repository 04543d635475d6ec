namespace FollowUp.Jobs.Messages;

/// <summary>
/// Messages planned inside a transaction: their ids in input order, and those that will be sent (not
/// skipped). After the transaction commits, pass this to <see cref="IMessageClient.DispatchAsync"/> to
/// create their Hangfire jobs before going on, or to <see cref="IMessageClient.RequestDispatch"/> to have
/// them created at once in the background; otherwise a dispatcher creates them on its next poll.
/// </summary>
public sealed record PlannedMessages(IReadOnlyList<long> Ids, IReadOnlyList<long> Sendable);
