using System.Globalization;
using Dapper;
using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Templates;
using FollowUp.Jobs;
using FollowUp.Jobs.Messages;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.States;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NodaTime;

namespace FollowUp.Bench;

/// <summary>
/// <para><b>Bench only.</b> FollowUp's product code never writes Hangfire's tables (STYLE.md): its jobs are
/// made and moved through Hangfire's client. This seeder alone bulk-inserts rows into Hangfire.PostgreSql's
/// tables, because making a million jobs through the client takes about an hour here and the dashboard
/// benchmark needs one job per seeded message.</para>
/// <para>The rows are in the shape Hangfire.PostgreSql 1.21.1 writes them (its <c>Install.v*.sql</c>,
/// <c>PostgreSqlConnection.CreateExpiredJob</c> and <c>PostgreSqlWriteOnlyTransaction</c>), with the data
/// Hangfire.Core 1.8 puts there (each state's <c>SerializeData</c>, the state handlers' <c>schedule</c> set,
/// queue and <c>stats:*</c> counters, <c>StatisticsHistoryAttribute</c>'s daily and hourly counters) and
/// FollowUp's own (the send job's arguments and display name, the fixed retry's reasons, its
/// <c>RetryCount</c> parameter and the <c>retries</c> set, the dead-letter reason). What can be made through
/// the product itself is: <see cref="MakeReference"/> creates three send jobs through FollowUp's own
/// <c>MessageDispatcher</c> and <c>IBackgroundJobClient</c> into a scratch schema, the seed copies their
/// invocation data and job parameters, and <see cref="HangfireSeedCheck"/> fails the run if the seeded rows
/// differ from them in any way but the values.</para>
/// <para>Each job follows from its message (<see cref="DashboardSeed"/>): sent, delivered and skipped →
/// Succeeded; dead-lettered → Failed after three attempts 60 s apart; cancelled → Deleted from Scheduled;
/// scheduled → Scheduled at its time, Enqueued when already due, or Scheduled for a retry when its first
/// attempt failed. Urgent kinds go to the <c>critical</c> queue and start Enqueued; the others start
/// Scheduled and Hangfire's DelayedJobScheduler moves them to their queue without an Enqueued state (a job
/// that carries its queue, in Hangfire 1.8), so their history reads Scheduled → Processing, retries too. Finished jobs expire a day after they
/// finish, as Hangfire writes it; no Hangfire server runs in the benchmark, so none is removed.</para>
/// </summary>
internal static class HangfireSeed
{
    /// <summary>The scratch schema of the reference jobs; dropped after the check.</summary>
    public const string ReferenceSchema = "hangfire_reference";

    /// <summary>Hangfire's server id as a FollowUp node writes it: "{host}-{pid}-{suffix}:{pid}:{guid}".</summary>
    public const string ServerId = "followup-web-1-1187-3fa9c2:1187:0d5e4f1c-8a6b-4c2e-9f3a-5b7d1e2c4a60";

    private const string Failure = "ProviderSendException: twilio refused (503)";

    /// <summary>
    /// Three send jobs made by the product itself into <see cref="ReferenceSchema"/> (installed there by
    /// Hangfire.PostgreSql): one due now (Enqueued, critical), one planned (Scheduled, default) and one
    /// planned and then cancelled as <c>MessageClient</c> cancels (Deleted).
    /// </summary>
    public static ReferenceJobs MakeReference(string connectionString, Instant now)
    {
        var storageOptions = new PostgreSqlStorageOptions { SchemaName = ReferenceSchema, PrepareSchemaIfNecessary = true };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [FollowUpJobsServiceCollectionExtensions.ConnectionStringKey] = connectionString,
            ["FollowUp:Engine:RunServer"] = "false",
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton<JobStorage>(new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, storageOptions), storageOptions));
        services.AddFollowUpJobs(configuration);
        using var provider = services.BuildServiceProvider();
        _ = provider.GetRequiredService<IGlobalConfiguration>(); // FollowUp's serializer settings, as the app applies them
        var dispatcher = provider.GetRequiredService<MessageDispatcher>();
        var planned = now + Duration.FromDays(1);
        var due = new ReferenceJob(dispatcher.Create(1, Channel.Sms, MessageKind.Confirmation, "+12125550001", now, now),
            1, SendMessageJob.Label(Channel.Sms, MessageKind.Confirmation, "+12125550001"), "Enqueued", "critical", now);
        var later = new ReferenceJob(dispatcher.Create(2, Channel.Email, MessageKind.Reminder24h, "user2@example.com", planned, now),
            2, SendMessageJob.Label(Channel.Email, MessageKind.Reminder24h, "user2@example.com"), "Scheduled", "default", planned);
        var cancelled = new ReferenceJob(dispatcher.Create(3, Channel.Sms, MessageKind.Reminder1h, "+12125550003", planned, now),
            3, SendMessageJob.Label(Channel.Sms, MessageKind.Reminder1h, "+12125550003"), "Deleted", "default", planned);
        var client = provider.GetRequiredService<IBackgroundJobClient>();
        if (!client.ChangeState(cancelled.JobId.ToString(CultureInfo.InvariantCulture), new DeletedState { Reason = "Cancelled by admin" }, ScheduledState.StateName))
        {
            throw new InvalidOperationException("The reference job could not be cancelled.");
        }

        return new ReferenceJobs(due, later, cancelled);
    }

    /// <summary>Seeds one job per message; returns the number of state rows written.</summary>
    public static async Task<long> SeedAsync(NpgsqlConnection connection, ReferenceJobs reference)
    {
        // Foreign keys are not checked row by row while seeding (this session only; HangfireSeedCheck checks
        // that every state and parameter has its job), and sorts get memory enough to stay off disk.
        await connection.ExecuteAsync("set session_replication_role = replica; set work_mem = '256MB'");
        foreach (var statement in Functions.Concat(Statements))
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            await connection.ExecuteAsync(new CommandDefinition(statement, new { template = reference.Due.JobId, serverId = ServerId, failure = Failure },
                commandTimeout: 1800));
            if (watch.Elapsed > TimeSpan.FromSeconds(5))
            {
                Console.WriteLine(FormattableString.Invariant($"  {watch.Elapsed.TotalSeconds,5:F0} s  {statement.Trim().Split('\n')[0]}"));
            }
        }

        await connection.ExecuteAsync("reset session_replication_role; reset work_mem");

        return await connection.ExecuteScalarAsync<long>("select count(*) from hangfire.state");
    }

    /// <summary>SQL twins of FollowUp's and Hangfire's formatting, on the seeding connection only (pg_temp).</summary>
    public static readonly string[] Functions =
    [
        // JobHelper.SerializeDateTime under CompatibilityLevel.Version_170+: milliseconds since the epoch.
        "create or replace function pg_temp.hf_ms(t timestamptz) returns text language sql immutable as $$ select floor(extract(epoch from t) * 1000)::bigint::text $$",
        // A due time as the product hands it to Hangfire: rounded up to a whole second (HangfireTime.NotBefore).
        "create or replace function pg_temp.hf_due(t timestamptz) returns timestamptz language sql immutable as $$ select to_timestamp(ceil(extract(epoch from t))) $$",
        // SendMessageJob.Label and Mask.
        """
        create or replace function pg_temp.send_label(channel text, kind text, recipient text) returns text language sql immutable as $$
          select case when channel = 'sms' then 'SMS' else 'Email' end || ' ' || kind || ' to ' ||
                 case when position('@' in recipient) > 1 then left(recipient, 1) || '…' || substr(recipient, position('@' in recipient))
                      when length(recipient) > 9 then left(recipient, 5) || '…' || right(recipient, 4)
                      else recipient end
        $$
        """,
        // InvocationData.SerializeArguments of SendAsync(messageId, label, null, CancellationToken): each argument
        // JSON-serialized, the token and the context as null, the array serialized again.
        """
        create or replace function pg_temp.send_args(message_id bigint, label text) returns text language sql immutable as $$
          select '["' || message_id || '",' || to_json(to_json(label)::text)::text || ',null,null]'
        $$
        """,
        // NodaTime's Instant.ToString(), as in MessageDispatcher's "Planned for {scheduledFor}".
        "create or replace function pg_temp.instant(t timestamptz) returns text language sql immutable as $$ select to_char(t at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') $$",
        // A state's data with its values reduced to their kind, for comparing shapes (HangfireSeedCheck).
        """
        create or replace function pg_temp.signature(data jsonb) returns text language sql immutable as $$
          select string_agg(key || ':' || case when value ~ '^[0-9]{13}$' then 'ms' when value ~ '^[0-9]+$' then 'number' else 'text' end, ',' order by key)
          from jsonb_each_text(data)
        $$
        """,
    ];

    private static readonly string[] Statements =
    [
        // What each message's job is, when it ran (first attempt) and when it finished.
        """
        create temporary table seed_job as
        select j.*, p.planned, r.enqueued, r.enqueued + interval '20 milliseconds' as run1,
               case j.class when 'Succeeded' then r.enqueued + interval '320 milliseconds'
                            when 'Failed' then r.enqueued + interval '122.36 seconds'
                            when 'Deleted' then j.changed end as finished
        from (select m.id, m.created_at as created, m.scheduled_for as due, m.updated_at as changed,
                     case when m.kind in ('confirmation', 'cancellation', 'missed_call', 'adhoc') then 'critical' else 'default' end as queue,
                     pg_temp.send_label(m.channel, m.kind, m.recipient) as label,
                     case when m.status in ('sent', 'delivered', 'skipped') then 'Succeeded'
                          when m.status = 'dead_lettered' then 'Failed'
                          when m.status = 'cancelled' then 'Deleted'
                          when m.status = 'scheduled' and m.error is not null then 'Retrying'
                          when m.status = 'scheduled' and m.scheduled_for <= now() then 'Enqueued'
                          when m.status = 'scheduled' then 'Scheduled' end as class,
                     d.id as dead_letter_id
              from messages m left join dead_letters d on d.job_id = m.id) j
        cross join lateral (select j.class in ('Scheduled', 'Deleted')
                                   or (j.queue = 'default' and j.class in ('Succeeded', 'Failed', 'Retrying')) as planned) p
        cross join lateral (select case when j.class = 'Retrying' then now() - ((j.id % 50) + 5) * interval '1 second'
                                        when p.planned then j.due else j.created end as enqueued) r
        """,
        """
        do $$ begin
          if exists (select 1 from seed_job where class is null) then raise exception 'a message status the seed does not map to a job state'; end if;
        end $$
        """,
        // hangfire.job: the reference's invocation data with this job's arguments and queue; stateid points
        // at the last state below (state ids are job id * 16 + step). Final states expire a day later.
        """
        insert into hangfire.job (id, stateid, statename, invocationdata, arguments, createdat, expireat)
        select j.id,
               j.id * 16 + case j.class when 'Scheduled' then 0 when 'Enqueued' then 1 when 'Succeeded' then 3 when 'Retrying' then 3
                                        when 'Failed' then 9 when 'Deleted' then 10 end,
               case when j.class = 'Retrying' then 'Scheduled' else j.class end,
               jsonb_set(jsonb_set(t.invocationdata, '{Arguments}', to_jsonb(a.args)), '{Queue}', to_jsonb(j.queue)),
               a.args::jsonb, j.created,
               case when j.class in ('Succeeded', 'Deleted') then j.finished + interval '1 day' end
        from seed_job j
        cross join (select invocationdata from hangfire_reference.job where id = @template) t
        cross join lateral (select pg_temp.send_args(j.id, j.label) as args) a
        order by j.id
        """,
        "select setval(pg_get_serial_sequence('hangfire.job', 'id'), (select max(id) from hangfire.job))",
        // hangfire.jobparameter: what the product's filters set at creation (CaptureCultureAttribute), and
        // the fixed retry's RetryCount (attempts made minus one) on jobs that failed an attempt.
        """
        insert into hangfire.jobparameter (jobid, name, value)
        select j.id, p.name, p.value from seed_job j cross join (select name, value from hangfire_reference.jobparameter where jobid = @template) p
        union all
        select id, 'RetryCount', case when class = 'Failed' then '2' else '1' end from seed_job where class in ('Failed', 'Retrying')
        """,
        // hangfire.state: each job's history (ids in the order Hangfire would have written a job's states),
        // one step of every job after another, so a job's states lie apart on disk as when written over time.
        // A Scheduled job that carries its queue (every send job, and the fixed retry's reschedules) is moved
        // to its queue by Hangfire 1.8.25's DelayedJobScheduler as a set-to-queue move, with no Enqueued state:
        // its history goes Scheduled → Processing, as production writes it. Only a job created due now has one.
        """
        insert into hangfire.state (id, jobid, name, reason, createdat, data)
        select id * 16, id, 'Scheduled', 'Planned for ' || pg_temp.instant(due), created,
               jsonb_build_object('EnqueueAt', pg_temp.hf_ms(pg_temp.hf_due(due)), 'ScheduledAt', pg_temp.hf_ms(created))
        from seed_job where planned
        union all
        select id * 16 + 1, id, 'Enqueued', 'Due now', enqueued, jsonb_build_object('EnqueuedAt', pg_temp.hf_ms(enqueued), 'Queue', queue)
        from seed_job where not planned and class in ('Enqueued', 'Succeeded', 'Failed', 'Retrying')
        union all
        select id * 16 + 2 + 3 * a, id, 'Processing', null, run1 + a * interval '61.02 seconds',
               jsonb_build_object('StartedAt', pg_temp.hf_ms(run1 + a * interval '61.02 seconds'), 'ServerId', @serverId,
                                  'WorkerId', md5('worker' || (id + a) % 20)::uuid::text)
        from seed_job cross join generate_series(0, 2) a
        where class = 'Failed' or (a = 0 and class in ('Succeeded', 'Retrying'))
        union all
        select id * 16 + 3, id, 'Succeeded', null, run1 + interval '300 milliseconds',
               jsonb_build_object('SucceededAt', pg_temp.hf_ms(run1 + interval '300 milliseconds'), 'PerformanceDuration', '300',
                                  'Latency', (pg_temp.hf_ms(run1)::bigint - pg_temp.hf_ms(created)::bigint)::text)
        from seed_job where class = 'Succeeded'
        union all
        select id * 16 + 3 + 3 * a, id, 'Scheduled', 'Attempt ' || a + 2 || ' of 3 in 60 s; attempt ' || a + 1 || ' failed: ' || @failure,
               run1 + a * interval '61.02 seconds' + interval '300 milliseconds',
               jsonb_build_object('EnqueueAt', pg_temp.hf_ms(pg_temp.hf_due(run1 + a * interval '61.02 seconds' + interval '60.3 seconds')),
                                  'ScheduledAt', pg_temp.hf_ms(run1 + a * interval '61.02 seconds' + interval '300 milliseconds'))
        from seed_job cross join generate_series(0, 1) a
        where class = 'Failed' or (a = 0 and class = 'Retrying')

        union all
        select id * 16 + 9, id, 'Failed', 'Dead-lettered as #' || dead_letter_id || '. Attempts exhausted (3 of 3): ' || @failure, finished,
               jsonb_build_object('FailedAt', pg_temp.hf_ms(finished), 'ExceptionType', 'FollowUp.Jobs.Channels.ProviderSendException',
                                  'ExceptionMessage', 'twilio refused (503)', 'ServerId', @serverId,
                                  'ExceptionDetails', E'FollowUp.Jobs.Channels.ProviderSendException: twilio refused (503)\n'
                                    || E'   at FollowUp.Jobs.Channels.ProviderChain.SendAsync[TProvider](...)\n'
                                    || E'   at FollowUp.Jobs.Messages.MessageSender.SendAsync(Int64 messageId, SendAttempt job, CancellationToken cancellationToken)\n'
                                    || '   at FollowUp.Jobs.Messages.SendMessageJob.SendAsync(Int64 messageId, String label, PerformContext context, CancellationToken cancellationToken)')
        from seed_job where class = 'Failed'
        union all
        select id * 16 + 10, id, 'Deleted', 'Cancelled by admin', finished, jsonb_build_object('DeletedAt', pg_temp.hf_ms(finished))
        from seed_job where class = 'Deleted'
        """,
        "select setval(pg_get_serial_sequence('hangfire.state', 'id'), (select max(id) from hangfire.state))",
        // The state handlers' rows: Enqueued → its queue; Scheduled → the schedule set ("queue:id", due
        // rounded up to a whole second); a retry → the retries set (FixedRetryAttribute, score 0 as AddToSet(key, value)).
        "insert into hangfire.jobqueue (jobid, queue) select id, queue from seed_job where class = 'Enqueued' order by id",
        """
        insert into hangfire.set (key, value, score)
        select 'schedule', queue || ':' || id,
               extract(epoch from pg_temp.hf_due(case when class = 'Retrying' then run1 + interval '60.3 seconds' else due end))
        from seed_job where class in ('Scheduled', 'Retrying')
        union all
        select 'retries', id::text, 0 from seed_job where class = 'Retrying'
        """,
        // Counters, as Hangfire.PostgreSql's CountersAggregator leaves them: stats:succeeded and stats:deleted
        // (the state handlers), and StatisticsHistoryAttribute's per-day (a month) and per-hour (a day) keys
        // for each final state, by when it was reached; hourly keys past their day are already expired.
        """
        insert into hangfire.aggregatedcounter (key, value, expireat)
        select 'stats:' || lower(class), count(*), null from seed_job where class in ('Succeeded', 'Deleted') group by class
        union all
        select 'stats:' || lower(class) || ':' || to_char(finished at time zone 'UTC', 'YYYY-MM-DD'), count(*), max(finished) + interval '1 month'
        from seed_job where class in ('Succeeded', 'Failed', 'Deleted') group by 1
        union all
        select 'stats:' || lower(class) || ':' || to_char(finished at time zone 'UTC', 'YYYY-MM-DD-HH24'), count(*), max(finished) + interval '1 day'
        from seed_job where class in ('Succeeded', 'Failed', 'Deleted') and finished > now() - interval '1 day' group by 1
        """,
        "vacuum analyze hangfire.job, hangfire.state, hangfire.jobparameter, hangfire.jobqueue, hangfire.set, hangfire.aggregatedcounter",
    ];

    /// <summary>A job made by the product for the shape check: its message, label, state, queue and time.</summary>
    internal sealed record ReferenceJob(long JobId, long MessageId, string Label, string State, string Queue, Instant Due);

    /// <summary>The three reference jobs.</summary>
    internal sealed record ReferenceJobs(ReferenceJob Due, ReferenceJob Later, ReferenceJob Cancelled)
    {
        public IEnumerable<ReferenceJob> All => [Due, Later, Cancelled];
    }
}
