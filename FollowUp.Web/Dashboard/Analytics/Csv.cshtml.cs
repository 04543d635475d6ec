using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NodaTime;

namespace FollowUp.Web.Dashboard.Analytics;

/// <summary>
/// <c>/dashboard/analytics.csv</c>: the analytics page's volume-and-cost table for the same filter, as CSV
/// (RFC 4180 quoting). A cell that a spreadsheet would run as a formula (starting with = + - @, a tab or a
/// carriage return) is prefixed with <c>'</c>. A bad parameter is a 422 problem naming it.
/// </summary>
internal sealed class CsvModel(AnalyticsQueries queries, IClock clock) : PageModel
{
    public static readonly string[] Header =
        ["day", "client_id", "kind", "channel", "provider", "sent", "delivered", "undelivered", "failed", "dead_lettered", "segments", "cost", "currency"];

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        var clients = await queries.ClientIdsAsync(cancellationToken);
        var (filter, errors) = AnalyticsFilter.Parse(Request.Query, clock.GetCurrentInstant().InUtc().Date, id => clients.Contains(id, StringComparer.Ordinal));
        if (errors.Count > 0)
        {
            return new ObjectResult(new ValidationProblemDetails(errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Error).ToArray()))
            {
                Status = StatusCodes.Status422UnprocessableEntity, Title = "Invalid analytics filter",
            }) { StatusCode = StatusCodes.Status422UnprocessableEntity, ContentTypes = { "application/problem+json" } };
        }

        var report = await queries.ReportAsync(filter.From, filter.To, filter.ClientId, cancellationToken);
        var csv = new StringBuilder();
        Line(csv, Header);
        foreach (var t in report.Table)
        {
            Line(csv, [t.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), filter.ClientId ?? "", t.Kind, t.Channel, t.Provider,
                Num(t.Sent), Num(t.Delivered), Num(t.Undelivered), Num(t.Failed), Num(t.DeadLettered), Num(t.Segments),
                t.Cost.ToString("0.00000", CultureInfo.InvariantCulture), t.Currency]);
        }

        var name = string.Create(CultureInfo.InvariantCulture, $"followup-analytics-{filter.From:yyyy-MM-dd}-{filter.To:yyyy-MM-dd}.csv");
        return File(Encoding.UTF8.GetBytes(csv.ToString()), "text/csv; charset=utf-8", name);
    }

    private static string Num(long n) => n.ToString(CultureInfo.InvariantCulture);

    private static void Line(StringBuilder csv, IEnumerable<string> cells)
    {
        csv.AppendJoin(',', cells.Select(Cell));
        csv.Append("\r\n");
    }

    /// <summary>One CSV cell: formula-like text defused with a leading <c>'</c>, then quoted when it holds a comma, quote or line break.</summary>
    internal static string Cell(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}
