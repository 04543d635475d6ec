using FollowUp.Web.Dashboard.Overview;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NodaTime;

namespace FollowUp.Web.Dashboard.Analytics;

/// <summary>
/// <c>/dashboard/analytics</c>: delivery rate, undelivered and failed shares with their top errors, retry
/// success, dead-letter rate, send lateness per kind, and volume and cost per day, kind, channel and provider
/// for a period and an optional client — from the daily rollups (<see cref="AnalyticsQueries"/>). A bad
/// parameter is a 422 naming it, and nothing is read.
/// </summary>
internal sealed class IndexModel(AnalyticsQueries queries, IClock clock) : PageModel
{
    public AnalyticsFilter Filter { get; private set; } = null!;

    public AnalyticsReport? Report { get; private set; }

    public Chart? PerDay { get; private set; }

    public IReadOnlyList<string> Clients { get; private set; } = [];

    /// <summary>What is wrong with the filter, as "field why".</summary>
    public IReadOnlyList<string> Errors { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        Clients = await queries.ClientIdsAsync(cancellationToken);
        var (filter, errors) = AnalyticsFilter.Parse(Request.Query, clock.GetCurrentInstant().InUtc().Date, id => Clients.Contains(id, StringComparer.Ordinal));
        Filter = filter;
        if (errors.Count > 0)
        {
            Errors = [.. errors.Select(e => $"{e.Field} {e.Error}")];
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Page();
        }

        Report = await queries.ReportAsync(filter.From, filter.To, filter.ClientId, cancellationToken);
        PerDay = new Chart("Per day (UTC)", Report.PerDay, PerDay: true) { Legend = ("sent (delivered or awaiting a report)", "undelivered or failed", "dead-lettered") };
        return Page();
    }

    /// <summary>A query parameter as typed (the form shows it back so), or null.</summary>
    public string? Raw(string name) => Request.Query[name].ToString() is { Length: > 0 } value ? value : null;

    /// <summary>The CSV export of the same filter.</summary>
    public string CsvLink => Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString("/dashboard/analytics.csv",
        new Dictionary<string, string?>
        {
            ["from"] = Filter.From.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            ["to"] = Filter.To.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            ["client_id"] = Filter.ClientId,
        }.Where(p => p.Value is not null));

    public static string Percent(double? ratio) =>
        ratio is { } r ? (r * 100).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + " %" : "—";
}
