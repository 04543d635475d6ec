using System.Globalization;
using Dapper;
using Npgsql;
using NodaTime;

namespace FollowUp.Jobs.Engine;

/// <summary>The Npgsql implementation of <see cref="IJobClient"/>.</summary>
internal sealed class JobClient(
    NpgsqlDataSource dataSource,
    JobRegistry registry,
    JobStore store,
    JobNotifier notifier,
    RecurringJobs recurring,
    NodeIdentity node,
    JobMetrics metrics,
    IClock clock) : IJobClient
{
    private const string InsertOneSql = """
        with job as (
            insert into jobs (type, args, state, run_at, created_at, state_changed_at)
            values (@type, @args::jsonb, @state, @runAt, @now, @now)
            returning id, state
        ), history as (
            insert into job_history (job_id, state, at, node, attempt, reason)
            select id, state, @now, @node, 0, 'Created' from job
        )
        select id from job
        """;

    public Task<long> EnqueueAsync<TJob>(object args, NpgsqlTransaction? transaction = null, CancellationToken cancellationToken = default) =>
        InsertOneAsync(typeof(TJob), args, null, transaction, cancellationToken);

    public Task<long> ScheduleAsync<TJob>(object args, Instant runAt, NpgsqlTransaction? transaction = null, CancellationToken cancellationToken = default) =>
        InsertOneAsync(typeof(TJob), args, runAt, transaction, cancellationToken);

    private async Task<long> InsertOneAsync(Type jobClass, object args, Instant? runAt, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        var descriptor = Describe(jobClass, args);
        var now = clock.GetCurrentInstant();
        var at = runAt is { } r && r > now ? r : now;
        var parameters = new
        {
            type = descriptor.Name,
            args = JobSerializer.Serialize(args, descriptor.ArgsType),
            state = (at > now ? JobState.Scheduled : JobState.Enqueued).ToString(),
            runAt = at,
            now,
            node = node.Id,
            notifyPayload = at.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
        };

        long id;
        if (transaction is not null)
        {
            // Inside the caller's transaction the NOTIFY must be too: it is delivered only if they commit.
            id = await transaction.Connection!.ExecuteScalarAsync<long>(new CommandDefinition(
                InsertOneSql + ";\n" + JobNotifier.NotifyInTransactionSql, parameters, transaction,
                cancellationToken: cancellationToken));
        }
        else
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            id = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                InsertOneSql, parameters, cancellationToken: cancellationToken));
        }

        metrics.Enqueued(descriptor.Name, 1);
        notifier.Committed(at);
        return id;
    }

    private const string InsertManySql = """
        with input as (
            select t, a, r, n from unnest(@types, @args, @runAts) with ordinality as x(t, a, r, n)
        ), job as (
            insert into jobs (type, args, state, run_at, created_at, state_changed_at)
            select t, a::jsonb, case when r > @now then 'Scheduled' else 'Enqueued' end, r, @now, @now
            from input order by n
            returning id, state
        ), history as (
            insert into job_history (job_id, state, at, node, attempt, reason)
            select id, state, @now, @node, 0, 'Created' from job
        )
        select id from job order by id
        """;

    public async Task<IReadOnlyList<long>> EnqueueManyAsync(IReadOnlyCollection<JobRequest> jobs, NpgsqlTransaction? transaction = null, CancellationToken cancellationToken = default)
    {
        var (ids, earliest) = await InsertManyAsync(jobs, transaction, notifyAtCommit: true, cancellationToken);
        if (ids.Count > 0)
        {
            notifier.Committed(earliest);
        }

        return ids;
    }

    public async Task<(IReadOnlyList<long> Ids, Instant EarliestRunAt)> EnqueueManyUnannouncedAsync(IReadOnlyCollection<JobRequest> jobs,
        NpgsqlTransaction transaction, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        return await InsertManyAsync(jobs, transaction, notifyAtCommit: false, cancellationToken);
    }

    public void AnnounceCommitted(Instant earliestRunAt) => notifier.Committed(earliestRunAt);

    private async Task<(IReadOnlyList<long> Ids, Instant EarliestRunAt)> InsertManyAsync(IReadOnlyCollection<JobRequest> jobs,
        NpgsqlTransaction? transaction, bool notifyAtCommit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        if (jobs.Count == 0)
        {
            return ([], Instant.MaxValue);
        }

        var now = clock.GetCurrentInstant();
        var types = new string[jobs.Count];
        var argsJson = new string[jobs.Count];
        var runAts = new DateTime[jobs.Count];
        var earliest = Instant.MaxValue;
        var i = 0;
        foreach (var job in jobs)
        {
            var descriptor = Describe(job.JobType, job.Args);
            var at = job.RunAt is { } r && r > now ? r : now;
            types[i] = descriptor.Name;
            argsJson[i] = JobSerializer.Serialize(job.Args, descriptor.ArgsType);
            runAts[i] = at.ToDateTimeUtc();
            earliest = Instant.Min(earliest, at);
            i++;
        }

        var parameters = new
        {
            types, args = argsJson, runAts, now, node = node.Id,
            notifyPayload = earliest.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
        };

        // Identity values are drawn in the order rows are inserted (by ordinality), so ascending ids
        // are the input order.
        IEnumerable<long> ids;
        if (transaction is not null)
        {
            ids = await transaction.Connection!.QueryAsync<long>(new CommandDefinition(
                notifyAtCommit ? InsertManySql + ";\n" + JobNotifier.NotifyInTransactionSql : InsertManySql, parameters, transaction,
                cancellationToken: cancellationToken));
        }
        else
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            ids = await connection.QueryAsync<long>(new CommandDefinition(
                InsertManySql, parameters, cancellationToken: cancellationToken));
        }

        var list = ids.AsList();
        foreach (var group in types.GroupBy(t => t, StringComparer.Ordinal))
        {
            metrics.Enqueued(group.Key, group.Count());
        }

        return (list, earliest);
    }

    public async Task<bool> CancelAsync(long jobId, string actor, NpgsqlTransaction? transaction = null, CancellationToken cancellationToken = default)
    {
        var from = await store.TransitionAsync(
            new JobTransition(jobId, [JobState.Scheduled, JobState.Enqueued, JobState.Failed], JobState.Cancelled)
            {
                Reason = $"Cancelled by {actor}",
                Actor = actor,
            },
            node.Id, clock.GetCurrentInstant(), transaction, cancellationToken);
        return from is not null;
    }

    public async Task<bool> RequeueAsync(long jobId, string actor, NpgsqlTransaction? transaction = null, CancellationToken cancellationToken = default)
    {
        var now = clock.GetCurrentInstant();
        var from = await store.TransitionAsync(
            new JobTransition(jobId, [JobState.Failed, JobState.DeadLettered, JobState.Succeeded, JobState.Cancelled], JobState.Enqueued)
            {
                RunAt = now,
                AttemptChange = AttemptChange.Reset,
                Reason = $"Requeued by {actor}",
                Actor = actor,
            },
            node.Id, now, transaction, cancellationToken);
        if (from is null)
        {
            return false;
        }

        notifier.Committed(now);
        return true;
    }

    public Task AddOrUpdateRecurringAsync<TJob>(string id, string cron, DateTimeZone timeZone, object args, NpgsqlTransaction? transaction = null, CancellationToken cancellationToken = default)
    {
        var descriptor = Describe(typeof(TJob), args);
        return recurring.AddOrUpdateAsync(id, cron, timeZone, descriptor.Name,
            JobSerializer.Serialize(args, descriptor.ArgsType), transaction, cancellationToken);
    }

    public Task<bool> RemoveRecurringAsync(string id, NpgsqlTransaction? transaction = null, CancellationToken cancellationToken = default) =>
        recurring.RemoveAsync(id, transaction, cancellationToken);

    public Task<IReadOnlyList<RecurringJobInfo>> ListRecurringAsync(CancellationToken cancellationToken = default) =>
        recurring.ListAsync(cancellationToken);

    public async Task<long?> TriggerRecurringAsync(string id, CancellationToken cancellationToken = default)
    {
        var jobId = await recurring.FireAsync(id, node.Id, cancellationToken);
        if (jobId is not null)
        {
            notifier.Committed(clock.GetCurrentInstant());
        }

        return jobId;
    }

    public Task<bool> SetRecurringPausedAsync(string id, bool paused, CancellationToken cancellationToken = default) =>
        recurring.SetPausedAsync(id, paused, cancellationToken);

    private JobDescriptor Describe(Type jobClass, object args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var descriptor = registry.Get(jobClass);
        if (!descriptor.ArgsType.IsInstanceOfType(args))
        {
            throw new ArgumentException(
                $"{jobClass.Name} takes {descriptor.ArgsType.Name} arguments, not {args.GetType().Name}.", nameof(args));
        }

        return descriptor;
    }
}
