using System.Globalization;
using NodaTime;

namespace FollowUp.Web.Dashboard.Overview;

/// <summary>A server-rendered SVG chart (see _Chart.cshtml): stacked succeeded / failed / dead-lettered per bucket.</summary>
internal sealed record Chart(string Title, IReadOnlyList<ChartBucket> Buckets, bool PerDay)
{
    /// <summary>What each bar's three parts count, as its tooltip says them.</summary>
    public (string Succeeded, string Failed, string DeadLettered) Legend { get; init; } = ("sent", "failed attempts", "dead-lettered");

    public int LabelEvery => PerDay ? 2 : 10;

    public string Label(Instant at) => PerDay
        ? at.InUtc().Date.ToString("MM-dd", CultureInfo.InvariantCulture)
        : at.InUtc().TimeOfDay.ToString("HH:mm", CultureInfo.InvariantCulture);
}
