using Dapper;
using FollowUp.Jobs.Engine;
using Npgsql;

namespace FollowUp.Bench.Jobs;

/// <param name="Tag">Free text recorded with the execution.</param>
/// <param name="SleepMs">How long the attempt takes after recording that it started.</param>
public sealed record RecordArgs(string Tag, int SleepMs = 0);

/// <summary>
/// Records each execution (job, attempt, node) in <c>test_executions</c>, then sleeps: the probe used
/// by multi-process tests to count how often an attempt really ran, and where.
/// </summary>
[JobType("test.record")]
public sealed class RecordJob(NpgsqlDataSource dataSource) : IJob<RecordArgs>
{
    public const string CreateTableSql = """
        create table if not exists test_executions (
            id bigint generated always as identity primary key,
            job_id bigint not null, attempt int not null, node text not null, tag text not null,
            at timestamptz not null default clock_timestamp())
        """;

    public async Task ExecuteAsync(RecordArgs args, JobContext context, CancellationToken cancellationToken)
    {
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "insert into test_executions (job_id, attempt, node, tag) values (@JobId, @Attempt, @Node, @Tag)",
                new { context.JobId, context.Attempt, context.Node, args.Tag }, cancellationToken: cancellationToken));
        }

        if (args.SleepMs > 0)
        {
            await Task.Delay(args.SleepMs, cancellationToken);
        }
    }
}
