using Dapper;
using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Messages;
using Microsoft.Extensions.Options;
using Npgsql;
using NodaTime;

namespace FollowUp.Web.Dashboard.Alerts;

/// <summary>
/// Every <see cref="AlertOptions.CheckSeconds"/>: counts failed call webhooks, dead letters and failovers per provider in the
/// window, and each client's undelivered rate in its own window, raises a banner for each threshold reached and, at most once per
/// <see cref="AlertOptions.MinutesBetweenMessages"/> across the cluster, tells the operations contacts
/// through <see cref="IMessageClient"/> (so an outage does not flood them).
/// </summary>
internal sealed class AlertMonitor(
    NpgsqlDataSource dataSource, IMessageClient messages, AlertState state, IOptions<AlertOptions> options, IClock clock,
    ILogger<AlertMonitor> logger) : BackgroundService
{
    private const string DeadLettersSql = "select count(*) from dead_letters where dead_lettered_at >= @since";

    // A failover event names the provider it passed over (MessageStore.AddFailoverAsync).
    private const string FailoversSql = """
        select provider, count(*) as count from message_events
        where event = 'failover' and at >= @since
        group by 1 order by 1
        """;

    // Messages sent in the window (messages_sent_at) that have a final status, per client; only clients whose
    // undelivered or failed share reaches the threshold, with enough of them to mean something.
    private const string UndeliveredSql = """
        select client_id, count(*) filter (where status in ('undelivered', 'failed')) as undelivered, count(*) as final
        from messages
        where sent_at >= @since and status in ('delivered', 'undelivered', 'failed')
        group by client_id
        having count(*) >= @minimum and count(*) filter (where status in ('undelivered', 'failed')) * 100 >= @percent * count(*)
        order by client_id
        """;

    private const string ClaimSendSql = """
        update dashboard_alerts set last_sent_at = @now
        where id = 1 and last_sent_at <= @now - make_interval(mins => @minutes)
        """;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(o.CheckSeconds));
        do
        {
            try
            {
                await CheckAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                logger.LogWarning(ex, "Alert check failed; trying again in {Seconds} s", o.CheckSeconds);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One check: returns the alerts raised (also shown on every page).</summary>
    public async Task<IReadOnlyList<string>> CheckAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var now = clock.GetCurrentInstant();
        var since = now - Duration.FromMinutes(o.WindowMinutes);
        var alerts = new List<string>();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (o.DeadLetterThreshold > 0)
        {
            var deadLetters = await connection.ExecuteScalarAsync<long>(new CommandDefinition(DeadLettersSql, new { since }, cancellationToken: cancellationToken));
            if (deadLetters >= o.DeadLetterThreshold)
            {
                alerts.Add($"{deadLetters} jobs dead-lettered in the last {o.WindowMinutes} minutes (threshold {o.DeadLetterThreshold}).");
            }
        }

        if (o.FailoverThreshold > 0)
        {
            var failovers = await connection.QueryAsync<(string Provider, long Count)>(new CommandDefinition(FailoversSql, new { since }, cancellationToken: cancellationToken));
            alerts.AddRange(failovers.Where(f => f.Count >= o.FailoverThreshold).Select(f =>
                $"Provider {f.Provider} failed over {f.Count} times in the last {o.WindowMinutes} minutes (threshold {o.FailoverThreshold})."));
        }

        if (o.FailedWebhookThreshold > 0)
        {
            var failed = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                "select count(*) from inbound_webhooks where status = 'failed'", cancellationToken: cancellationToken));
            if (failed >= o.FailedWebhookThreshold)
            {
                alerts.Add($"{failed} call webhooks failed processing and wait for a retry or a replay (threshold {o.FailedWebhookThreshold}).");
            }
        }

        if (o.UndeliveredRatePercent > 0)
        {
            var clients = await connection.QueryAsync<(string ClientId, long Undelivered, long Final)>(new CommandDefinition(UndeliveredSql,
                new { since = now - Duration.FromMinutes(o.UndeliveredWindowMinutes), minimum = o.UndeliveredMinimum, percent = o.UndeliveredRatePercent },
                cancellationToken: cancellationToken));
            alerts.AddRange(clients.Select(c => string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"Client {c.ClientId}: {c.Undelivered} of {c.Final} messages sent in the last {o.UndeliveredWindowMinutes} minutes undelivered or failed ({100.0 * c.Undelivered / c.Final:0.#} %, threshold {o.UndeliveredRatePercent} %).")));
        }

        state.Set(alerts);
        if (alerts.Count > 0 && o.Contacts.Count > 0
            && await connection.ExecuteAsync(new CommandDefinition(ClaimSendSql, new { now, minutes = o.MinutesBetweenMessages }, cancellationToken: cancellationToken)) == 1)
        {
            await NotifyAsync(o, alerts, cancellationToken);
        }

        return alerts;
    }

    private async Task NotifyAsync(AlertOptions o, List<string> alerts, CancellationToken cancellationToken)
    {
        var text = "FollowUp alert: " + string.Join(" ", alerts);
        foreach (var contact in o.Contacts)
        {
            // Each contact is planned on its own: a contact the pipeline refuses does not stop the others.
            try
            {
                if (E164.IsValid(contact))
                {
                    await messages.SendSmsAsync(o.ClientId!, contact, text, null, null, cancellationToken);
                }
                else
                {
                    await messages.SendEmailAsync(o.ClientId!, contact, "FollowUp alert", text, null, null, cancellationToken);
                }
            }
            catch (PostgresException ex)
            {
                logger.LogError(ex, "Could not plan the alert message to operations contact {Index}", o.Contacts.IndexOf(contact));
            }
        }

        logger.LogWarning("Operations contacts alerted: {Alerts}", text);
    }
}
