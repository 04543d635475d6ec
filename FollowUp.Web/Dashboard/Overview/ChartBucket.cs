using NodaTime;

namespace FollowUp.Web.Dashboard.Overview;

/// <summary>One bar group of a chart: transitions in [At, At + step).</summary>
internal sealed record ChartBucket(Instant At, long Succeeded, long Failed, long DeadLettered)
{
    public long Total => Succeeded + Failed + DeadLettered;
}
