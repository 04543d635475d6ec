using Dapper;
using Npgsql;
using NodaTime;

namespace FollowUp.Jobs.Engine;

/// <summary>A row of the dead-letter table.</summary>
public sealed record DeadLetter(
    long Id, long JobId, string JobType, string Args, int Attempts, string? Reason,
    string? ExceptionType, string? ExceptionMessage, string? ExceptionStack, Instant DeadLetteredAt,
    string? Resolution, Instant? ResolvedAt, string? ResolvedBy);

/// <summary>
/// The dead-letter table: jobs whose attempts ran out or failed permanently. Requeue starts a fresh
/// series of attempts (the row is kept and marked Requeued, with who); discard keeps the row and
/// marks it Discarded, with who; the job itself stays DeadLettered.
/// </summary>
public sealed class DeadLetters(NpgsqlDataSource dataSource, IJobClient jobs, IClock clock)
{
    private const string Columns = """
        id, job_id, job_type, args::text as args, attempts, reason, exception_type, exception_message,
        exception_stack, dead_lettered_at, resolution, resolved_at, resolved_by
        """;

    /// <summary>Open (unresolved) dead letters, newest first, keyset-paged by id.</summary>
    public async Task<IReadOnlyList<DeadLetter>> ListOpenAsync(int limit, long? beforeId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<DeadLetter>(new CommandDefinition($"""
            select {Columns} from dead_letters
            where resolution is null and (@beforeId::bigint is null or id < @beforeId)
            order by id desc limit @limit
            """, new { limit, beforeId }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    public async Task<DeadLetter?> FindAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<DeadLetter>(new CommandDefinition(
            $"select {Columns} from dead_letters where id = @id", new { id }, cancellationToken: cancellationToken));
    }

    /// <summary>Requeues the job behind an open dead letter. False when it is not open.</summary>
    public async Task<bool> RequeueAsync(long id, string actor, CancellationToken cancellationToken)
    {
        var letter = await FindAsync(id, cancellationToken);
        return letter is { Resolution: null } && await jobs.RequeueAsync(letter.JobId, actor, null, cancellationToken);
    }

    /// <summary>Marks an open dead letter Discarded. False when it is not open.</summary>
    public async Task<bool> DiscardAsync(long id, string actor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var changed = await connection.ExecuteAsync(new CommandDefinition("""
            update dead_letters set resolution = 'Discarded', resolved_at = @now, resolved_by = @actor
            where id = @id and resolution is null
            """, new { id, actor, now = clock.GetCurrentInstant() }, cancellationToken: cancellationToken));
        return changed == 1;
    }
}
