using System.Diagnostics.Metrics;

namespace FollowUp.Jobs.Engine;

/// <summary>
/// The engine's instruments on the <c>FollowUp.Jobs</c> meter: jobs enqueued, succeeded, failed and
/// dead-lettered by type; queue depth (due, unclaimed, as of the last heartbeat); lateness (due to
/// claimed) and duration histograms in milliseconds.
/// </summary>
public sealed class JobMetrics : IDisposable
{
    public const string MeterName = "FollowUp.Jobs";

    private readonly Meter _meter;
    private readonly Counter<long> _enqueued;
    private readonly Counter<long> _succeeded;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _deadLettered;
    private readonly Histogram<double> _lateness;
    private readonly Histogram<double> _duration;
    private long _queueDepth;

    public JobMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(MeterName);
        _enqueued = _meter.CreateCounter<long>("followup.jobs.enqueued", "{job}", "Jobs created");
        _succeeded = _meter.CreateCounter<long>("followup.jobs.succeeded", "{job}", "Attempts that succeeded");
        _failed = _meter.CreateCounter<long>("followup.jobs.failed", "{job}", "Attempts that failed");
        _deadLettered = _meter.CreateCounter<long>("followup.jobs.dead_lettered", "{job}", "Jobs moved to the dead-letter table");
        _lateness = _meter.CreateHistogram<double>("followup.jobs.lateness", "ms", "From a job's due time to its claim");
        _duration = _meter.CreateHistogram<double>("followup.jobs.duration", "ms", "Time to perform one attempt");
        _meter.CreateObservableGauge("followup.jobs.queue_depth", () => Interlocked.Read(ref _queueDepth), "{job}", "Due jobs not yet claimed");
    }

    internal void Enqueued(string type, long count) => _enqueued.Add(count, Tag(type));

    internal void Succeeded(string type) => _succeeded.Add(1, Tag(type));

    internal void Failed(string type) => _failed.Add(1, Tag(type));

    internal void DeadLettered(string type) => _deadLettered.Add(1, Tag(type));

    internal void Lateness(string type, double ms) => _lateness.Record(ms, Tag(type));

    internal void Duration(string type, double ms) => _duration.Record(ms, Tag(type));

    internal void QueueDepth(long depth) => Interlocked.Exchange(ref _queueDepth, depth);

    private static KeyValuePair<string, object?> Tag(string type) => new("job.type", type);

    public void Dispose() => _meter.Dispose();
}
