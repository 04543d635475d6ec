using System.Diagnostics;
using FollowUp.Jobs.Telemetry;
using Hangfire.Client;
using Hangfire.Common;
using Hangfire.Server;

namespace FollowUp.Jobs.Engine;

/// <summary>
/// Carries a trace across the job boundary. Creating a job, it stores the creator's W3C trace context as
/// the job parameter <see cref="FollowUpTelemetry.TraceParentParameter"/> (the row's own, when the outbox
/// creates it for a row committed earlier: <see cref="Use"/>; else the current span's). Performing the
/// job, it starts the span <c>job {Type}.{Method}</c> as that context's child, with the job id, so a
/// reminder sent three days later is a span of the call that planned it. Costs nothing (no parameter, no
/// span) while no tracer listens.
/// </summary>
/// <remarks>
/// A Hangfire filter: its methods are synchronous because Hangfire's filter interfaces are, and run in the
/// job's own execution context, so the span started in <see cref="OnPerforming"/> is current for the
/// whole (async) job body.
/// </remarks>
internal sealed class JobTraceContext : JobFilterAttribute, IClientFilter, IServerFilter
{
    private const string ActivityItem = "followup.activity";

    private static readonly AsyncLocal<string?> Pending = new();

    /// <summary>The trace context the next job created on this flow carries, until disposed.</summary>
    public static IDisposable Use(string? traceParent)
    {
        var before = Pending.Value;
        Pending.Value = traceParent;
        return new Restore(before);
    }

    public void OnCreating(CreatingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if ((Pending.Value ?? FollowUpTelemetry.CurrentTraceParent()) is { } traceParent)
        {
            context.SetJobParameter(FollowUpTelemetry.TraceParentParameter, traceParent);
        }
    }

    public void OnCreated(CreatedContext context)
    {
    }

    public void OnPerforming(PerformingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!FollowUpTelemetry.Source.HasListeners())
        {
            return;
        }

        var parent = FollowUpTelemetry.ContextOf(context.GetJobParameter<string>(FollowUpTelemetry.TraceParentParameter, allowStale: true));
        var job = context.BackgroundJob.Job;
        var activity = FollowUpTelemetry.Source.StartActivity($"job {job?.Type.Name}.{job?.Method.Name}", ActivityKind.Consumer, parent);
        if (activity is not null)
        {
            activity.SetTag(FollowUpTelemetry.JobId, context.BackgroundJob.Id);
            activity.SetTag("messaging.system", "hangfire");
            context.Items[ActivityItem] = activity;
        }
    }

    public void OnPerformed(PerformedContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Items.TryGetValue(ActivityItem, out var item) && item is Activity activity)
        {
            if (context.Exception is { } ex and not JobDeferredException)
            {
                activity.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
                activity.SetTag("error.type", ex.GetType().FullName);
            }

            activity.Stop();
        }
    }

    private sealed class Restore(string? before) : IDisposable
    {
        public void Dispose() => Pending.Value = before;
    }
}
