using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;
using NodaTime;
using Quartz;

namespace FollowUp.Jobs.Engine;

/// <summary>A recurring definition as stored in <c>recurring_jobs</c>.</summary>
public sealed record RecurringJobInfo(
    string Id, string JobType, string Cron, string TimeZone, long Version, Instant UpdatedAt,
    Instant? LastEnqueuedAt, long? LastJobId, bool Paused)
{
    /// <summary>The next firing after <paramref name="after"/> as its trigger computes it; null when paused or never again.</summary>
    public Instant? NextRunAfter(Instant after) =>
        Paused ? null : RecurringJobs.NextOccurrences(Cron, TimeZone, after, 1) is [var next] ? next : null;
}

/// <summary>
/// Recurring jobs: <c>recurring_jobs</c> is the source of truth (so a definition commits with the
/// caller's transaction), and each row is mirrored into one Quartz cron trigger in its IANA zone.
/// Quartz, clustered, fires each occurrence on exactly one node; the firing enqueues an ordinary job.
/// </summary>
internal sealed class RecurringJobs(NpgsqlDataSource dataSource, ISchedulerFactory schedulers, IClock clock, ILogger<RecurringJobs> logger)
{
    public const string Group = "recurring";
    public const string IdKey = "recurring_id";
    public const string VersionKey = "version";

    private const string UpsertSql = """
        insert into recurring_jobs (id, job_type, args, cron, time_zone, updated_at)
        values (@id, @type, @args::jsonb, @cron, @zone, @now)
        on conflict (id) do update set job_type = excluded.job_type, args = excluded.args, cron = excluded.cron,
            time_zone = excluded.time_zone, updated_at = excluded.updated_at, version = recurring_jobs.version + 1
        """;

    public async Task AddOrUpdateAsync(string id, string cron, DateTimeZone zone, string type, string argsJson,
        NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentNullException.ThrowIfNull(zone);
        if (!CronExpression.TryParse(cron, out _))
        {
            throw new ArgumentException($"'{cron}' is not a valid Quartz cron expression (seconds minutes hours day-of-month month day-of-week).", nameof(cron));
        }

        _ = ToTimeZoneInfo(zone.Id);
        var args = new { id, type, args = argsJson, cron, zone = zone.Id, now = clock.GetCurrentInstant() };
        if (transaction is not null)
        {
            await transaction.Connection!.ExecuteAsync(new CommandDefinition(UpsertSql, args, transaction, cancellationToken: cancellationToken));
            return;
        }

        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            await connection.ExecuteAsync(new CommandDefinition(UpsertSql, args, cancellationToken: cancellationToken));
        }

        await SyncAsync(cancellationToken);
    }

    public async Task<bool> RemoveAsync(string id, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        const string sql = "delete from recurring_jobs where id = @id";
        if (transaction is not null)
        {
            return await transaction.Connection!.ExecuteAsync(new CommandDefinition(sql, new { id }, transaction, cancellationToken: cancellationToken)) > 0;
        }

        int removed;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            removed = await connection.ExecuteAsync(new CommandDefinition(sql, new { id }, cancellationToken: cancellationToken));
        }

        await SyncAsync(cancellationToken);
        return removed > 0;
    }

    public async Task<IReadOnlyList<RecurringJobInfo>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<RecurringJobInfo>(new CommandDefinition(
            "select id, job_type, cron, time_zone, version, updated_at, last_enqueued_at, last_job_id, paused from recurring_jobs order by id",
            cancellationToken: cancellationToken));
        return rows.AsList();
    }

    private const string SetPausedSql = """
        update recurring_jobs set paused = @paused, version = version + 1, updated_at = @now
        where id = @id and paused <> @paused
        """;

    /// <summary>
    /// Pauses (no trigger until resumed; occurrences in between are not made up) or resumes a recurring
    /// job. False when it does not exist or is already in that state.
    /// </summary>
    public async Task<bool> SetPausedAsync(string id, bool paused, CancellationToken cancellationToken)
    {
        int changed;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            changed = await connection.ExecuteAsync(new CommandDefinition(
                SetPausedSql, new { id, paused, now = clock.GetCurrentInstant() }, cancellationToken: cancellationToken));
        }

        if (changed > 0)
        {
            await SyncAsync(cancellationToken);
        }

        return changed > 0;
    }

    /// <summary>
    /// Enqueues one job of the definition now and records it as its last run (the same statement a
    /// firing runs; a paused definition can be triggered too). Returns the job id, or null when the
    /// definition does not exist.
    /// </summary>
    public async Task<long?> FireAsync(string id, string node, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            FireSql, new { id, now = clock.GetCurrentInstant(), node }, cancellationToken: cancellationToken));
    }

    internal const string FireSql = """
        with def as (
            select id, job_type, args from recurring_jobs where id = @id for update
        ), job as (
            insert into jobs (type, args, state, run_at, created_at, state_changed_at, recurring_id)
            select job_type, args, 'Enqueued', @now, @now, @now, id from def
            returning id, state
        ), history as (
            insert into job_history (job_id, state, at, node, attempt, reason)
            select id, state, @now, @node, 0, 'Recurring ' || @id || ' fired' from job
        ), mark as (
            update recurring_jobs set last_enqueued_at = @now, last_job_id = (select id from job) where id = @id
        )
        select id from job
        """;

    /// <summary>
    /// Makes Quartz's triggers match the table: schedules new and changed definitions (by version),
    /// deletes triggers whose definition is gone. Safe to run on several nodes at once.
    /// </summary>
    public async Task SyncAsync(CancellationToken cancellationToken, IScheduler? scheduler = null)
    {
        scheduler ??= await schedulers.GetScheduler(cancellationToken);
        var definitions = await ListAsync(cancellationToken);
        var wanted = definitions.Where(d => !d.Paused).Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var definition in definitions.Where(d => !d.Paused))
        {
            var triggerKey = new TriggerKey(definition.Id, Group);
            var existing = await scheduler.GetTrigger(triggerKey, cancellationToken);
            if (existing is not null && existing.JobDataMap.TryGetValue(VersionKey, out var v)
                && Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture) == definition.Version)
            {
                continue;
            }

            var job = JobBuilder.Create<Housekeeping.RecurringFireJob>()
                .WithIdentity(definition.Id, Group)
                .UsingJobData(IdKey, definition.Id)
                .Build();
            var trigger = TriggerBuilder.Create()
                .WithIdentity(triggerKey)
                .UsingJobData(VersionKey, definition.Version.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .WithCronSchedule(definition.Cron, c => c
                    .InTimeZone(ToTimeZoneInfo(definition.TimeZone))
                    .WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed))
                .Build();
            await scheduler.ScheduleJob(job, new List<ITrigger> { trigger }, ScheduleJobOptions.Replacing, cancellationToken);
            logger.LogInformation("Recurring job {Id} scheduled: '{Cron}' in {Zone} (version {Version})",
                definition.Id, definition.Cron, definition.TimeZone, definition.Version);
        }

        foreach (var jobKey in await scheduler.GetJobKeys(GroupMatcher<JobKey>.GroupEquals(Group), cancellationToken))
        {
            if (!wanted.Contains(jobKey.Name))
            {
                await scheduler.DeleteJob(jobKey, cancellationToken);
                logger.LogInformation("Recurring job {Id} removed from the scheduler", jobKey.Name);
            }
        }
    }

    /// <summary>
    /// The next <paramref name="count"/> occurrences after <paramref name="after"/> as the trigger
    /// computes them (same cron, same zone), for display and for checking DST behaviour.
    /// </summary>
    public static IReadOnlyList<Instant> NextOccurrences(string cron, string timeZone, Instant after, int count)
    {
        var expression = new CronExpression(cron, ToTimeZoneInfo(timeZone));
        var result = new List<Instant>(count);
        var cursor = after.ToDateTimeOffset();
        while (result.Count < count && expression.GetNextValidTimeAfter(cursor) is { } next)
        {
            result.Add(Instant.FromDateTimeOffset(next));
            cursor = next;
        }

        return result;
    }

    private static TimeZoneInfo ToTimeZoneInfo(string ianaId)
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(ianaId);
        }
        catch (TimeZoneNotFoundException ex)
        {
            throw new ArgumentException($"Time zone '{ianaId}' is not known to this system's time zone database.", nameof(ianaId), ex);
        }
    }
}
