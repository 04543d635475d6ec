using Hangfire.Common;
using Hangfire.States;
using NodaTime;

namespace FollowUp.Jobs.Engine;

/// <summary>
/// A table whose rows each get one Hangfire job (messages, business notifications): which rows to claim,
/// which job a row gets, and how the job's id is written back. <see cref="OutboxDispatcher"/> does the rest,
/// the same way for every table.
/// </summary>
/// <typeparam name="TRow">A claimed row, as Dapper reads it from <see cref="ClaimSql"/>.</typeparam>
internal interface IOutbox<TRow>
{
    /// <summary>
    /// Claims rows that have no job yet, <c>FOR UPDATE SKIP LOCKED</c> (two dispatchers never take one row),
    /// at most <c>@limit</c>; any other parameters are the caller's.
    /// </summary>
    string ClaimSql { get; }

    /// <summary>Writes each row's job id: parameters <c>@ids</c> and <c>@jobIds</c> (bigint arrays, in step) and <c>@now</c> (UTC).</summary>
    string RecordSql { get; }

    /// <summary>The row's id, as <see cref="RecordSql"/> takes it.</summary>
    long IdOf(TRow row);

    /// <summary>The job that carries the row out, and the state it is created in.</summary>
    (Job Job, IState State) JobOf(TRow row, Instant now);

    /// <summary>The W3C trace context of whoever committed the row, which its job continues; null for none.</summary>
    string? TraceParentOf(TRow row) => null;

    /// <summary>Called once per row after its job committed (for the outbox's own metrics).</summary>
    void Dispatched(TRow row)
    {
    }
}
