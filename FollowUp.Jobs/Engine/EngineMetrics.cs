using System.Diagnostics.Metrics;

namespace FollowUp.Jobs.Engine;

/// <summary>The engine's own counters (meter <c>FollowUp.Jobs</c>); Hangfire's job counts are on its dashboard.</summary>
internal sealed class EngineMetrics : IDisposable
{
    private readonly Meter _meter = new("FollowUp.Jobs");
    private readonly Counter<long> _revived;
    private readonly Counter<long> _unrevivable;

    public EngineMetrics()
    {
        _revived = _meter.CreateCounter<long>("followup.reconciler.revived", description: "Messages whose job was missing, deleted or stuck, revived");
        _unrevivable = _meter.CreateCounter<long>("followup.reconciler.unrevivable", description: "Messages the reconciler could not revive (reported)");
    }

    public void Revived(string why) => _revived.Add(1, new KeyValuePair<string, object?>("why", why));

    public void Unrevivable() => _unrevivable.Add(1);

    public void Dispose() => _meter.Dispose();
}
