using FollowUp.Jobs.Messages;
using FollowUp.Web.Dashboard.Overview;
using NodaTime;

namespace FollowUp.Web.Dashboard.Analytics;

/// <summary>
/// The analytics of a period: rates, top errors, lateness per kind, and the table of volume and cost per
/// day, kind, channel and provider (the CSV export's rows). Computed from rollup rows only.
/// </summary>
/// <remarks>
/// Definitions (docs/DASHBOARD.md): a message counts under the UTC day it was sent, or, not sent, the day it
/// is or was last due. <b>Delivery rate</b>: delivered ÷ those sent that have a final status (delivered,
/// undelivered, failed). <b>Retry success</b>: sent after at least one failed attempt ÷ every message with a
/// failed attempt. <b>Dead-letter rate</b>: dead-lettered ÷ (sent + dead-lettered), the share of messages
/// whose job ran to an end and gave up. Lateness is from when a message was last due to the provider's
/// acceptance, as a histogram: a percentile is the upper bound of the bucket it falls in.
/// </remarks>
internal sealed record AnalyticsReport(
    LocalDate From, LocalDate To, string? ClientId,
    long Sent, long Delivered, long Undelivered, long Failed, long AwaitingFinal, long DeadLettered, long Retried, long RetriedSent,
    IReadOnlyList<ErrorRow> TopUndelivered, IReadOnlyList<ErrorRow> TopFailed,
    IReadOnlyList<KindLateness> Lateness, IReadOnlyList<AnalyticsTableRow> Table, IReadOnlyList<ChartBucket> PerDay)
{
    /// <summary>How many top errors are listed per status.</summary>
    public const int TopErrors = 5;

    public long Final => Delivered + Undelivered + Failed;

    public double? DeliveryRate => Ratio(Delivered, Final);

    public double? UndeliveredShare => Ratio(Undelivered, Final);

    public double? FailedShare => Ratio(Failed, Final);

    public double? RetrySuccess => Ratio(RetriedSent, Retried);

    public double? DeadLetterRate => Ratio(DeadLettered, Sent + DeadLettered);

    private static double? Ratio(long part, long whole) => whole == 0 ? null : (double)part / whole;

    public static AnalyticsReport Of(LocalDate from, LocalDate to, string? clientId, IReadOnlyList<AnalyticsRow> rows,
        IReadOnlyList<ErrorRow> errors, IReadOnlyList<LatenessRow> lateness)
    {
        long Count(string status) => rows.Where(r => r.Status == status).Sum(r => r.Messages);
        var table = rows
            .GroupBy(r => (r.Day, r.Kind, r.Channel, r.Provider, r.Currency))
            .Select(g => new AnalyticsTableRow(g.Key.Day, g.Key.Kind, g.Key.Channel, g.Key.Provider, g.Key.Currency,
                Sent: g.Sum(r => r.WentOut),
                Delivered: g.Where(r => r.Status == MessageStatus.Delivered).Sum(r => r.Messages),
                Undelivered: g.Where(r => r.Status == MessageStatus.Undelivered).Sum(r => r.Messages),
                Failed: g.Where(r => r.Status == MessageStatus.Failed).Sum(r => r.Messages),
                DeadLettered: g.Where(r => r.Status == MessageStatus.DeadLettered).Sum(r => r.Messages),
                Segments: g.Sum(r => r.Segments), Cost: g.Sum(r => r.Cost)))
            .Where(r => r.Sent + r.DeadLettered > 0)
            .OrderBy(r => r.Day).ThenBy(r => r.Kind, StringComparer.Ordinal).ThenBy(r => r.Channel, StringComparer.Ordinal)
            .ThenBy(r => r.Provider, StringComparer.Ordinal).ThenBy(r => r.Currency, StringComparer.Ordinal)
            .ToList();
        var perDay = new List<ChartBucket>();
        for (var day = from; day <= to; day = day.PlusDays(1))
        {
            var of = table.Where(r => r.Day == day).ToList();
            perDay.Add(new ChartBucket(day.AtStartOfDayInZone(DateTimeZone.Utc).ToInstant(),
                of.Sum(r => r.Sent - r.Undelivered - r.Failed), of.Sum(r => r.Undelivered + r.Failed), of.Sum(r => r.DeadLettered)));
        }

        return new AnalyticsReport(from, to, clientId,
            Sent: rows.Sum(r => r.WentOut), Delivered: Count(MessageStatus.Delivered), Undelivered: Count(MessageStatus.Undelivered),
            Failed: Count(MessageStatus.Failed), AwaitingFinal: Count(MessageStatus.Sent), DeadLettered: Count(MessageStatus.DeadLettered),
            Retried: rows.Sum(r => r.Retried), RetriedSent: rows.Sum(r => r.RetriedSent),
            TopUndelivered: [.. errors.Where(e => e.Status == MessageStatus.Undelivered).Take(TopErrors)],
            TopFailed: [.. errors.Where(e => e.Status == MessageStatus.Failed).Take(TopErrors)],
            Lateness: [.. lateness.GroupBy(l => l.Kind, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => KindLateness.Of(g.Key, g.ToList()))],
            Table: table, PerDay: perDay);
    }
}

/// <summary>One line of the table and the CSV: a day, kind, channel and provider ('' for dead letters never sent).</summary>
internal sealed record AnalyticsTableRow(LocalDate Day, string Kind, string Channel, string Provider, string Currency,
    long Sent, long Delivered, long Undelivered, long Failed, long DeadLettered, long Segments, decimal Cost);

/// <summary>A kind's send lateness: how many went out, and the buckets p50 and p95 fall in (upper bounds, seconds; null: the open last bucket).</summary>
internal sealed record KindLateness(string Kind, long Count, int P50Bucket, int P95Bucket)
{
    public string P50 => Bound(P50Bucket);

    public string P95 => Bound(P95Bucket);

    /// <summary>"≤ 15 s", "≤ 2 min", or "≥ 1 day" for the last bucket.</summary>
    public static string Bound(int bucket)
    {
        var bounds = AnalyticsQueries.LatenessBounds;
        if (bucket + 1 >= bounds.Count)
        {
            return "≥ " + Seconds(bounds[^1]);
        }

        return "≤ " + Seconds(bounds[bucket + 1]);
    }

    private static string Seconds(int s) => s switch
    {
        >= 86400 when s % 86400 == 0 => $"{s / 86400} d",
        >= 3600 when s % 3600 == 0 => $"{s / 3600} h",
        >= 60 when s % 60 == 0 => $"{s / 60} min",
        _ => $"{s} s",
    };

    public static KindLateness Of(string kind, IReadOnlyList<LatenessRow> buckets)
    {
        var count = buckets.Sum(b => b.Messages);
        int At(double q)
        {
            // The smallest bucket whose cumulative count reaches q of the whole (nearest rank).
            var rank = (long)Math.Ceiling(q * count);
            long seen = 0;
            foreach (var b in buckets.OrderBy(b => b.Bucket))
            {
                seen += b.Messages;
                if (seen >= rank)
                {
                    return b.Bucket;
                }
            }

            return buckets.Max(b => b.Bucket);
        }

        return new KindLateness(kind, count, At(0.5), At(0.95));
    }
}
