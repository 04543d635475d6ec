using System.Diagnostics.Metrics;

namespace FollowUp.Jobs.Telemetry;

/// <summary>
/// FollowUp's counters and histograms (meter <see cref="FollowUpTelemetry.Name"/>, from the host's
/// <see cref="IMeterFactory"/>, so each host has its own). Each is recorded where the fact happens once:
/// a status change by the one transition statement, a plan by the outbox when its job is created, a
/// provider call by the provider chain. docs/OPERATIONS.md lists them with their attributes.
/// </summary>
public sealed class FollowUpMetrics
{
    private readonly Counter<long> _planned;
    private readonly Counter<long> _statusChanges;
    private readonly Histogram<double> _lateness;
    private readonly Histogram<double> _providerDuration;
    private readonly Counter<long> _providerErrors;
    private readonly Counter<long> _failovers;
    private readonly Counter<long> _adopted;
    private readonly Counter<long> _revived;
    private readonly Counter<long> _unrevivable;
    private readonly Counter<long> _notifications;
    private readonly Counter<long> _intake;
    private readonly Histogram<double> _intakeDuration;
    private readonly Counter<long> _rejected;

    public FollowUpMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        Meter = meters.Create(FollowUpTelemetry.Name);
        _planned = Meter.CreateCounter<long>("followup.messages.planned", "{message}", "Messages given their send job (planned by a call, the API or code)");
        _statusChanges = Meter.CreateCounter<long>("followup.messages", "{message}",
            "Messages reaching a status: sent, delivered, undelivered, failed, dead_lettered, skipped (with reason), cancelled, scheduled (retried or requeued)");
        _lateness = Meter.CreateHistogram<double>("followup.send.lateness", "s", "From a message's due time to the provider accepting it",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 3600] });
        _providerDuration = Meter.CreateHistogram<double>("followup.provider.duration", "s", "One provider call (a send or a lookup), by outcome",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
        _providerErrors = Meter.CreateCounter<long>("followup.provider.errors", "{error}", "Provider calls that failed, by kind (transient, permanent) and whether they may have been sent");
        _failovers = Meter.CreateCounter<long>("followup.provider.failovers", "{failover}", "Sends passed from a provider to the next one in the same attempt");
        _adopted = Meter.CreateCounter<long>("followup.provider.adopted", "{message}", "Possibly-sent messages found at the provider and adopted instead of sent again");
        _revived = Meter.CreateCounter<long>("followup.reconciler.revived", "{message}", "Messages whose job was missing, deleted or stuck, revived");
        _unrevivable = Meter.CreateCounter<long>("followup.reconciler.unrevivable", "{message}", "Messages the reconciler could not revive (reported)");
        _notifications = Meter.CreateCounter<long>("followup.notifications", "{notification}", "Business notifications reaching a status (delivered, dead_lettered, …)");
        _intake = Meter.CreateCounter<long>("followup.webhooks.intake", "{webhook}", "Call webhooks taken in, by source and outcome (accepted, duplicate, failed)");
        _intakeDuration = Meter.CreateHistogram<double>("followup.webhooks.intake.duration", "s", "A call webhook's intake: journal, plan and commit");
        _rejected = Meter.CreateCounter<long>("followup.webhooks.rejected", "{webhook}",
            "Webhooks (calls, provider status, inbound SMS) refused, by route and reason (signature, validation, malformed, unknown_client, too_large, media_type, conflict, overloaded, error)");
    }

    /// <summary>The meter itself, for the gauges the engine and the outbox observe.</summary>
    public Meter Meter { get; }

    public void Planned(string clientId, string kind, string channel) =>
        _planned.Add(1, new(FollowUpTelemetry.ClientId, clientId), new("followup.kind", kind), new("followup.channel", channel));

    public void StatusChanged(string status, string clientId, string kind, string channel, string? provider, string? reason) =>
        _statusChanges.Add(1, [new("followup.status", status), new(FollowUpTelemetry.ClientId, clientId), new("followup.kind", kind),
            new("followup.channel", channel), new("followup.provider", provider ?? ""), new("followup.reason", reason ?? "")]);

    public void Lateness(TimeSpan late, string kind, string channel, string provider) =>
        _lateness.Record(Math.Max(0, late.TotalSeconds), new("followup.kind", kind), new("followup.channel", channel), new("followup.provider", provider));

    public void ProviderCall(string provider, string channel, string operation, string outcome, TimeSpan duration) =>
        _providerDuration.Record(duration.TotalSeconds, new("followup.provider", provider), new("followup.channel", channel),
            new("followup.operation", operation), new("followup.outcome", outcome));

    public void ProviderError(string provider, string channel, string kind, bool mayHaveBeenSent) =>
        _providerErrors.Add(1, new("followup.provider", provider), new("followup.channel", channel), new("error.type", kind),
            new("followup.may_have_been_sent", mayHaveBeenSent));

    public void Failover(string provider, string channel) =>
        _failovers.Add(1, new("followup.provider", provider), new("followup.channel", channel));

    public void Adopted(string provider, string channel) =>
        _adopted.Add(1, new("followup.provider", provider), new("followup.channel", channel));

    public void Revived(string why) => _revived.Add(1, new KeyValuePair<string, object?>("followup.reason", why));

    public void Unrevivable() => _unrevivable.Add(1);

    public void NotificationStatus(string status, string type) =>
        _notifications.Add(1, new("followup.status", status), new("followup.notification.type", type));

    public void Intake(string source, string outcome, TimeSpan duration)
    {
        _intake.Add(1, new("followup.source", source), new("followup.outcome", outcome));
        _intakeDuration.Record(duration.TotalSeconds, new("followup.source", source), new("followup.outcome", outcome));
    }

    /// <summary>A webhook refused: <paramref name="route"/> is its route template (never its path, which holds a client id), <paramref name="reason"/> one word.</summary>
    public void WebhookRejected(string route, string reason) =>
        _rejected.Add(1, new("http.route", route), new("followup.reason", reason));
}
