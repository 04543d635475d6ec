using System.ComponentModel;
using System.Globalization;
using Dapper;
using FollowUp.Jobs.Engine;
using Hangfire.Server;
using Npgsql;

namespace FollowUp.Tests.Support.Jobs;

/// <summary>
/// Records each execution (job, attempt, server) in <c>test_executions</c>, then sleeps: the probe used
/// by multi-process tests to count how often an attempt really ran, and where.
/// </summary>
public sealed class RecordJob(NpgsqlDataSource dataSource)
{
    public const string CreateTableSql = """
        create table if not exists test_executions (
            id bigint generated always as identity primary key,
            job_id bigint not null, attempt int not null, node text not null, tag text not null,
            at timestamptz not null default clock_timestamp())
        """;

    [DisplayName("record {0}")]
    public async Task RunAsync(string tag, int sleepMs, PerformContext? context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var attempt = context.GetJobParameter<int>(FixedRetryAttribute.RetryCountParameter) + 1;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "insert into test_executions (job_id, attempt, node, tag) values (@jobId, @attempt, @node, @tag)",
                new
                {
                    jobId = long.Parse(context.BackgroundJob.Id, CultureInfo.InvariantCulture), attempt,
                    node = context.ServerId, tag,
                }, cancellationToken: cancellationToken));
        }

        if (sleepMs > 0)
        {
            await Task.Delay(sleepMs, cancellationToken);
        }
    }
}
