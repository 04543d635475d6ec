using System.ComponentModel;
using Dapper;
using FollowUp.Jobs.Engine;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NodaTime;

namespace FollowUp.Jobs.Calls;

/// <summary>
/// A Hangfire recurring job, daily: blanks the raw bodies of processed call webhooks older than
/// <c>WebhookBodyRetentionDays</c> (the row, its outcome and its reply stay), in batches so no statement
/// holds locks for long, and forgets reconciler runs older than 30 days. Received and failed entries
/// keep their bodies: they may still be replayed. Hangfire expires its own finished jobs
/// (<c>RetentionDays</c>).
/// </summary>
internal sealed class RetentionJob(NpgsqlDataSource dataSource, IOptions<EngineOptions> options, IClock clock, ILogger<RetentionJob> logger)
{
    public const string RecurringId = "retention";

    private const string BlankBatchSql = """
        update inbound_webhooks set raw_body = '', body_removed_at = @now
        where id in (
            select id from inbound_webhooks
            where status = 'processed' and body_removed_at is null and received_at < @cutoff
            order by received_at
            limit 5000)
        """;

    [DisplayName("Retention: blank old call-webhook bodies")]
    public async Task<long> RunAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetCurrentInstant();
        var cutoff = now - Duration.FromDays(options.Value.WebhookBodyRetentionDays);
        long total = 0;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        int blanked;
        do
        {
            blanked = await connection.ExecuteAsync(new CommandDefinition(BlankBatchSql, new { cutoff, now }, cancellationToken: cancellationToken));
            total += blanked;
        }
        while (blanked > 0 && !cancellationToken.IsCancellationRequested);

        await connection.ExecuteAsync(new CommandDefinition(
            "delete from reconciler_runs where at < @before", new { before = now - Duration.FromDays(30) }, cancellationToken: cancellationToken));
        if (total > 0)
        {
            logger.LogInformation("Retention blanked the bodies of {Count} call webhooks received before {Cutoff}", total, cutoff);
        }

        return total;
    }
}
