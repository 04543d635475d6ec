using System.Globalization;
using Dapper;
using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Messages;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Npgsql;

namespace FollowUp.Bench;

/// <summary>
/// Fails the dashboard benchmark when <see cref="HangfireSeed"/>'s rows are not what Hangfire would have
/// written: (1) against the jobs the product made through Hangfire's client (invocation data but the
/// arguments, the arguments' text, job parameters, each state's data keys and value kinds, reasons, the
/// schedule set, the queue, expiry, counter keys), and (2) read back through Hangfire's own
/// <c>IMonitoringApi</c> (statistics, queue lengths, the retries set, job details with the display name's
/// arguments) against the messages they were made from. Runs on the seeding connection (its pg_temp functions).
/// </summary>
internal static class HangfireSeedCheck
{
    public static async Task<IReadOnlyList<SampleJob>> VerifyAsync(NpgsqlConnection connection, string connectionString, HangfireSeed.ReferenceJobs reference)
    {
        var problems = new List<string>();
        async Task Expect(string what, string sql, object? parameters = null)
        {
            if (!await connection.ExecuteScalarAsync<bool>(new CommandDefinition(sql, parameters, commandTimeout: 600)))
            {
                problems.Add(what);
            }
        }

        foreach (var r in reference.All)
        {
            var p = new { id = r.JobId, messageId = r.MessageId, label = r.Label, queue = r.Queue, state = r.State, due = r.Due };
            await Expect($"reference job {r.JobId}: arguments as the seed writes them", """
                select j.invocationdata->>'Arguments' = pg_temp.send_args(@messageId, @label) and j.arguments = pg_temp.send_args(@messageId, @label)::jsonb
                       and j.statename = @state and j.invocationdata->>'Queue' = @queue
                from hangfire_reference.job j where j.id = @id
                """, p);
            await Expect($"reference job {r.JobId}: the same job parameters as the template", """
                select array(select name || '=' || coalesce(value, '') from hangfire_reference.jobparameter where jobid = @id order by 1)
                     = array(select name || '=' || coalesce(value, '') from hangfire_reference.jobparameter where jobid = @template order by 1)
                """, new { id = r.JobId, template = reference.Due.JobId });
            await Expect($"seeded jobs of queue {r.Queue}: invocation data but the arguments as the reference's", """
                select not exists (select 1 from hangfire.job j where j.invocationdata->>'Queue' = @queue
                                   and (j.invocationdata - 'Arguments') <> (select invocationdata - 'Arguments' from hangfire_reference.job where id = @id))
                """, p);
        }

        await Expect("every seeded job in queue critical or default", """
            select not exists (select 1 from hangfire.job where coalesce(invocationdata->>'Queue', '') not in ('critical', 'default'))
            """);
        await Expect("the reference's reasons and queue as the seed writes them", """
            select exists (select 1 from hangfire_reference.state where jobid = @due and name = 'Enqueued' and reason = 'Due now' and data->>'Queue' = 'critical')
               and exists (select 1 from hangfire_reference.state where jobid = @later and name = 'Scheduled' and reason = 'Planned for ' || pg_temp.instant(@laterDue))
               and exists (select 1 from hangfire_reference.jobqueue where jobid = @due and queue = 'critical' and fetchedat is null)
            """, new { due = reference.Due.JobId, later = reference.Later.JobId, laterDue = reference.Later.Due });
        await Expect("the reference's schedule set entry as the seed writes it (queue:id, due rounded up to a whole second), gone once deleted", """
            select exists (select 1 from hangfire_reference.set where key = 'schedule' and value = 'default:' || @later and score = ceil(extract(epoch from @laterDue)))
               and not exists (select 1 from hangfire_reference.set where key = 'schedule' and value = 'default:' || @cancelled)
            """, new { later = reference.Later.JobId, laterDue = reference.Later.Due, cancelled = reference.Cancelled.JobId });
        await Expect("the reference's expiry as the seed writes it (a day after a final state, none before)", """
            select (select expireat is null from hangfire_reference.job where id = @due) and (select expireat is null from hangfire_reference.job where id = @later)
               and (select abs(extract(epoch from j.expireat - (s.createdat + interval '1 day'))) < 60
                    from hangfire_reference.job j join hangfire_reference.state s on s.id = j.stateid where j.id = @cancelled)
            """, new { due = reference.Due.JobId, later = reference.Later.JobId, cancelled = reference.Cancelled.JobId });
        await Expect("the reference's counter keys as the seed writes them", """
            select array(select distinct key from hangfire_reference.counter order by 1)
                 = array['stats:deleted', 'stats:deleted:' || to_char(s.createdat at time zone 'UTC', 'YYYY-MM-DD'),
                         'stats:deleted:' || to_char(s.createdat at time zone 'UTC', 'YYYY-MM-DD-HH24')]
            from hangfire_reference.state s where s.jobid = @cancelled and s.name = 'Deleted'
            """, new { cancelled = reference.Cancelled.JobId });
        await Expect("seeded counter keys of Hangfire's forms", """
            select not exists (select 1 from hangfire.aggregatedcounter where key !~ '^stats:(succeeded|failed|deleted)(:[0-9]{4}-[0-9]{2}-[0-9]{2}(-[0-9]{2})?)?$')
            """);
        foreach (var state in new[] { "Enqueued", "Scheduled", "Deleted" })
        {
            await Expect($"seeded {state} states: the data keys and value kinds of the reference's", """
                select array(select distinct pg_temp.signature(data) from hangfire.state where name = @state)
                     = array(select distinct pg_temp.signature(data) from hangfire_reference.state where name = @state)
                """, new { state });
        }

        await Expect("every seeded job's stateid is its last state, of its name", """
            select not exists (select 1 from hangfire.job j left join hangfire.state s on s.id = j.stateid
                               where s.id is null or s.jobid <> j.id or s.name <> j.statename)
               and not exists (select 1 from hangfire.state s join hangfire.job j on j.id = s.jobid where s.id > j.stateid)
            """);

        await Expect("every seeded state, parameter and queue entry has its job", """
            select not exists (select 1 from hangfire.state s where not exists (select 1 from hangfire.job j where j.id = s.jobid))
               and not exists (select 1 from hangfire.jobparameter p where not exists (select 1 from hangfire.job j where j.id = p.jobid))
               and not exists (select 1 from hangfire.jobqueue q where not exists (select 1 from hangfire.job j where j.id = q.jobid))
            """);

        problems.AddRange(await CountsAsync(connection, connectionString));
        var samples = await SamplesAsync(connection, connectionString, problems);
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("The Hangfire seed disagrees with Hangfire: " + string.Join("; ", problems));
        }

        return samples;
    }

    /// <summary>Hangfire's own counts (IMonitoringApi, the retries set) against the messages the jobs were made from.</summary>
    private static async Task<List<string>> CountsAsync(NpgsqlConnection connection, string connectionString)
    {
        var expected = await connection.QuerySingleAsync<(long Succeeded, long Failed, long Deleted, long Scheduled, long Retrying)>("""
            select count(*) filter (where status in ('sent', 'delivered', 'skipped')), count(*) filter (where status = 'dead_lettered'),
                   count(*) filter (where status = 'cancelled'), count(*) filter (where status = 'scheduled'),
                   count(*) filter (where status = 'scheduled' and error is not null)
            from messages
            """);
        var storage = Storage(connectionString);
        var monitoring = storage.GetMonitoringApi();
        var stats = monitoring.GetStatistics();
        long retries;
        using (var hangfire = storage.GetConnection())
        {
            retries = ((Hangfire.Storage.JobStorageConnection)hangfire).GetSetCount("retries");
        }

        var queued = monitoring.Queues().Sum(q => q.Length);
        Console.WriteLine(FormattableString.Invariant(
            $"Hangfire reads back: {stats.Succeeded:N0} succeeded, {stats.Failed:N0} failed, {stats.Deleted:N0} deleted, {stats.Scheduled:N0} scheduled ({retries:N0} retries), {stats.Enqueued:N0} enqueued ({queued:N0} in queues), {stats.Processing:N0} processing"));
        var problems = new List<string>();
        void Same(string what, long actual, long wanted)
        {
            if (actual != wanted)
            {
                problems.Add(FormattableString.Invariant($"{what}: Hangfire reads {actual}, the messages say {wanted}"));
            }
        }

        Same("Succeeded (stats:succeeded)", stats.Succeeded, expected.Succeeded);
        Same("Succeeded (job rows)", monitoring.SucceededListCount(), expected.Succeeded);
        Same("Failed", stats.Failed, expected.Failed);
        Same("Deleted (stats:deleted)", stats.Deleted, expected.Deleted);
        Same("Deleted (job rows)", monitoring.DeletedListCount(), expected.Deleted);
        Same("Scheduled + Enqueued", stats.Scheduled + stats.Enqueued, expected.Scheduled);
        Same("Enqueued in queues", queued, stats.Enqueued);
        Same("retries set", retries, expected.Retrying);
        Same("Processing", stats.Processing, 0);
        if (stats.Enqueued == 0 || stats.Scheduled == 0)
        {
            problems.Add("no Enqueued or no Scheduled jobs seeded");
        }

        return problems;
    }

    /// <summary>One seeded job of each kind of history (and one email), read through Hangfire's job details.</summary>
    private static async Task<IReadOnlyList<SampleJob>> SamplesAsync(NpgsqlConnection connection, string connectionString, List<string> problems)
    {
        var rows = (await connection.QueryAsync<(long Id, string Class, string State, string Channel, string Kind, string Recipient)>("""
            select * from (
              select distinct on (j.class) j.id, j.class, case when j.class = 'Retrying' then 'Scheduled' else j.class end, m.channel, m.kind, m.recipient
              from seed_job j join messages m on m.id = j.id order by j.class, j.id desc) s
            union all
            (select j.id, 'Succeeded (email)', 'Succeeded', m.channel, m.kind, m.recipient
             from seed_job j join messages m on m.id = j.id where j.class = 'Succeeded' and m.channel = 'email' order by j.id desc limit 1)
            """)).AsList();
        var monitoring = Storage(connectionString).GetMonitoringApi();
        var samples = new List<SampleJob>();
        foreach (var row in rows)
        {
            var details = monitoring.JobDetails(row.Id.ToString(CultureInfo.InvariantCulture));
            var label = SendMessageJob.Label(Channel.Parse(row.Channel), row.Kind, row.Recipient);
            if (details?.Job is null || details.History.Count == 0 || details.History[0].StateName != row.State
                || !Equals(details.Job.Args[0], row.Id) || !Equals(details.Job.Args[1], label))
            {
                problems.Add(FormattableString.Invariant($"job {row.Id} ({row.Class}) is not read back by Hangfire as a send of message {row.Id} labelled '{label}' in state {row.State}"));
                continue;
            }

            samples.Add(new SampleJob(row.Id, row.Class, FormattableString.Invariant($"{label} (message {row.Id})"), details.History.Count));
        }

        return samples;
    }

    private static PostgreSqlStorage Storage(string connectionString)
    {
        var options = new PostgreSqlStorageOptions { PrepareSchemaIfNecessary = false };
        return new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, options), options);
    }

    /// <summary>A seeded job, the display name its details page must show, and its history's length.</summary>
    internal sealed record SampleJob(long Id, string Class, string DisplayName, int States);
}
