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
/// holds locks for long, deletes dashboard audit entries older than <c>AuditRetentionDays</c> (likewise in
/// batches), forgets reconciler runs older than 30 days and sign-in throttles long expired. Received and failed entries
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

    private const string DeleteAuditBatchSql = """
        delete from audit_log
        where id in (select id from audit_log where at < @cutoff order by at limit 5000)
        """;

    // A throttle row outlives its block by a day, so a guesser who pauses briefly is still slowed.
    private const string DeleteThrottlesSql = """
        delete from dashboard_sign_in_throttles where last_failed_at < @before and (blocked_until is null or blocked_until < @before)
        """;

    [DisplayName("Retention: blank old call-webhook bodies, delete old audit entries")]
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

        var auditCutoff = now - Duration.FromDays(options.Value.AuditRetentionDays);
        long audited = 0;
        int deleted;
        do
        {
            deleted = await connection.ExecuteAsync(new CommandDefinition(DeleteAuditBatchSql, new { cutoff = auditCutoff }, cancellationToken: cancellationToken));
            audited += deleted;
        }
        while (deleted > 0 && !cancellationToken.IsCancellationRequested);

        await connection.ExecuteAsync(new CommandDefinition(
            "delete from reconciler_runs where at < @before", new { before = now - Duration.FromDays(30) }, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            DeleteThrottlesSql, new { before = now - Duration.FromDays(1) }, cancellationToken: cancellationToken));
        if (total > 0)
        {
            logger.LogInformation("Retention blanked the bodies of {Count} call webhooks received before {Cutoff}", total, cutoff);
        }

        if (audited > 0)
        {
            logger.LogInformation("Retention deleted {Count} audit entries from before {Cutoff}", audited, auditCutoff);
        }

        return total;
    }
}
