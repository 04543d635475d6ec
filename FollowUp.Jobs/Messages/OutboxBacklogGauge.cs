using Dapper;
using FollowUp.Jobs.Telemetry;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace FollowUp.Jobs.Messages;

/// <summary>
/// <c>followup.outbox.backlog</c>: messages and notifications committed but still without their Hangfire
/// job (the dispatcher's backlog; near zero unless dispatching is failing). Counted by a query at most
/// every ten seconds, and only while a collector reads it.
/// </summary>
internal sealed class OutboxBacklogGauge : IHostedService
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly Lock _gate = new();
    private readonly NodaTime.IClock _clock;
    private (NodaTime.Instant At, long Messages, long Notifications) _last;

    public OutboxBacklogGauge(FollowUpMetrics metrics, NpgsqlDataSource dataSource, NodaTime.IClock clock)
    {
        _clock = clock;
        ArgumentNullException.ThrowIfNull(metrics);
        _dataSource = dataSource;
        metrics.Meter.CreateObservableGauge("followup.outbox.backlog", () =>
        {
            var (_, messages, notifications) = Read();
            return new[]
            {
                new System.Diagnostics.Metrics.Measurement<long>(messages, new KeyValuePair<string, object?>("followup.outbox", "messages")),
                new System.Diagnostics.Metrics.Measurement<long>(notifications, new KeyValuePair<string, object?>("followup.outbox", "notifications")),
            };
        }, "{row}", "Rows committed without their Hangfire job yet, per outbox");
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private (NodaTime.Instant At, long Messages, long Notifications) Read()
    {
        lock (_gate)
        {
            if (_clock.GetCurrentInstant() - _last.At < NodaTime.Duration.FromSeconds(10))
            {
                return _last;
            }

            try
            {
                // Observable callbacks are synchronous (System.Diagnostics.Metrics' shape); the query is one round trip.
                using var connection = _dataSource.OpenConnection();
                var (messages, notifications) = connection.QuerySingle<(long, long)>("""
                    select (select count(*) from messages where job_id is null and status = 'scheduled'),
                           (select count(*) from notifications where job_id is null and status = 'pending')
                    """);
                _last = (_clock.GetCurrentInstant(), messages, notifications);
            }
            catch (NpgsqlException)
            {
                // The database is away: the last reading stands.
            }

            return _last;
        }
    }
}
