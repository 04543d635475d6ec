using System.Diagnostics;

namespace FollowUp.Jobs.Telemetry;

/// <summary>
/// The names FollowUp's telemetry is published under: one <see cref="ActivitySource"/> and one meter, both
/// <see cref="Name"/>. They cost nothing until a listener subscribes (the web app's OpenTelemetry set-up,
/// off unless configured: docs/OPERATIONS.md). Span and attribute names follow OpenTelemetry's semantic
/// conventions where one exists, <c>followup.*</c> otherwise; attributes are low-cardinality (client id,
/// kind, channel, provider, outcome), never a phone number or an address.
/// </summary>
public static class FollowUpTelemetry
{
    /// <summary>The activity source's and the meter's name: <c>FollowUp</c>.</summary>
    public const string Name = "FollowUp";

    /// <summary>Every FollowUp span starts here.</summary>
    public static readonly ActivitySource Source = new(Name);

    /// <summary>The Hangfire job parameter that carries the W3C trace context of whoever created the job.</summary>
    public const string TraceParentParameter = "traceparent";

    /// <summary>Span attribute: our message id.</summary>
    public const string MessageId = "followup.message.id";

    /// <summary>Span attribute: the Hangfire job id.</summary>
    public const string JobId = "followup.job.id";

    /// <summary>Span and metric attribute: the client id.</summary>
    public const string ClientId = "followup.client.id";

    /// <summary>
    /// The current span's W3C trace context (<c>traceparent</c>), or null outside one or while no tracer
    /// listens to FollowUp (ASP.NET Core makes an activity per request anyway; storing it then would only
    /// cost a column and a job parameter nobody reads).
    /// </summary>
    public static string? CurrentTraceParent() =>
        Source.HasListeners() && Activity.Current is { IdFormat: ActivityIdFormat.W3C } current ? current.Id : null;

    /// <summary><paramref name="traceParent"/> as a context, or default when it is missing or not W3C.</summary>
    public static ActivityContext ContextOf(string? traceParent) =>
        traceParent is not null && ActivityContext.TryParse(traceParent, null, out var context) ? context : default;
}
