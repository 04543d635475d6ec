using Dapper;
using Npgsql;
using NodaTime;

namespace FollowUp.Jobs.Engine;

/// <summary>
/// Every write to <c>jobs</c> and <c>job_history</c>. Each state change is one statement that checks
/// the state it expects (and the claim, for a running job), changes the row and writes the history
/// row — so a change is all or nothing, and a stale worker cannot overwrite a rescued job.
/// </summary>
internal sealed partial class JobStore(NpgsqlDataSource dataSource)
{
    private static readonly string[] WaitingStates = ["Scheduled", "Enqueued", "Failed"];

    private const string ClaimSql = """
        with due as (
            select id, state from jobs
            where state = any(@waiting) and run_at <= @now
              and type = any(@types)
            order by run_at, id
            limit @limit
            for update skip locked
        ), claimed as (
            update jobs j
            set state = 'Processing', attempt = j.attempt + 1, node = @node, lease_until = @leaseUntil,
                state_changed_at = @now
            from due
            where j.id = due.id
            returning j.id, j.type, j.args::text as args, j.attempt, j.run_at, due.state as from_state
        ), history as (
            insert into job_history (job_id, state, from_state, at, node, attempt)
            select id, 'Processing', from_state, @now, @node, attempt from claimed
        )
        select id, type, args, attempt, run_at from claimed
        """;

    /// <summary>
    /// Claims up to <paramref name="limit"/> due jobs of <paramref name="types"/> for
    /// <paramref name="node"/>: due order, locked rows skipped, so nodes never wait for each other and
    /// never claim the same row. A node claims only the types it has registered.
    /// </summary>
    public async Task<IReadOnlyList<ClaimedJob>> ClaimAsync(
        string node, int limit, Instant now, Instant leaseUntil, string[] types, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<ClaimedJob>(new CommandDefinition(ClaimSql, new
        {
            waiting = WaitingStates, now, node, leaseUntil, limit, types,
        }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    private const string SucceedSql = """
        with locked as (
            -- Rows are locked in id order, as the heartbeat locks them: two statements of one node
            -- that lock overlapping rows in different orders deadlock.
            select j.id from jobs j join unnest(@ids, @attempts) as d(id, attempt) on j.id = d.id and j.attempt = d.attempt
            where j.state = 'Processing' and j.node = @node
            order by j.id
            for update of j
        ), done as (
            update jobs j
            set state = 'Succeeded', state_changed_at = @now, lease_until = null
            from locked
            where j.id = locked.id
            returning j.id, j.attempt
        ), history as (
            insert into job_history (job_id, state, from_state, at, node, attempt)
            select id, 'Succeeded', 'Processing', @now, @node, attempt from done
        )
        select id from done
        """;

    /// <summary>
    /// Marks a batch of this node's attempts Succeeded in one statement; returns the ids changed.
    /// An id missing from the result had lost its claim (rescued after its lease ran out).
    /// </summary>
    public async Task<IReadOnlyList<long>> SucceedManyAsync(
        string node, long[] ids, int[] attempts, Instant now, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<long>(new CommandDefinition(
            SucceedSql, new { ids, attempts, node, now }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    private const string TransitionSql = """
        with current as (
            select id, state from jobs
            where id = @jobId and state = any(@from)
              and (@claimedBy::text is null or node = @claimedBy)
              and (@attempt::int is null or attempt = @attempt)
            for update
        ), changed as (
            update jobs j
            set state = @to, state_changed_at = @now,
                run_at = coalesce(@runAt, j.run_at),
                attempt = case @attemptChange when 1 then greatest(j.attempt - 1, 0) when 2 then 0 else j.attempt end,
                lease_until = null,
                last_error = case when @exceptionMessage::text is not null then @exceptionMessage
                                  when @attemptChange = 2 then null else j.last_error end
            from current
            where j.id = current.id
            returning j.id, j.type, j.args, j.attempt, current.state as from_state
        ), history as (
            insert into job_history (job_id, state, from_state, at, node, attempt, reason,
                                     exception_type, exception_message, exception_stack)
            select id, @to, from_state, @now, @node, attempt, @reason,
                   @exceptionType, @exceptionMessage, @exceptionStack
            from changed
        ), dead_letter as (
            insert into dead_letters (job_id, job_type, args, attempts, reason, exception_type,
                                      exception_message, exception_stack, dead_lettered_at)
            select id, type, args, attempt, @reason, @exceptionType, @exceptionMessage, @exceptionStack, @now
            from changed where @to = 'DeadLettered'
        ), resolved as (
            update dead_letters set resolution = 'Requeued', resolved_at = @now, resolved_by = @actor
            where job_id in (select id from changed) and resolution is null and @attemptChange = 2
        )
        select from_state from changed
        """;

    /// <summary>
    /// Applies a guarded transition; returns the state the job was in, or null when the guard did not
    /// match (another node, a person, or the rescue got there first) and nothing changed.
    /// </summary>
    public async Task<JobState?> TransitionAsync(
        JobTransition t, string node, Instant now, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        var args = new
        {
            jobId = t.JobId,
            from = t.From.Select(s => s.ToString()).ToArray(),
            to = t.To.ToString(),
            claimedBy = t.ClaimedBy,
            attempt = t.Attempt,
            runAt = t.RunAt,
            attemptChange = (int)t.AttemptChange,
            reason = t.Reason,
            exceptionType = t.Exception?.Type,
            exceptionMessage = t.Exception?.Message,
            exceptionStack = t.Exception?.Stack,
            actor = t.Actor,
            node,
            now,
        };
        string? from;
        if (transaction is not null)
        {
            from = await transaction.Connection!.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
                TransitionSql, args, transaction, cancellationToken: cancellationToken));
        }
        else
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            from = await connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
                TransitionSql, args, cancellationToken: cancellationToken));
        }

        return from is null ? null : Enum.Parse<JobState>(from);
    }
}
