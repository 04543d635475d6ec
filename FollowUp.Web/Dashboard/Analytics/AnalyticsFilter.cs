using NodaTime;
using NodaTime.Text;

namespace FollowUp.Web.Dashboard.Analytics;

/// <summary>
/// The analytics period and client, parsed from the query string (<c>from</c>, <c>to</c>: UTC days as
/// yyyy-MM-dd, inclusive; <c>client_id</c>: optional). Without dates, the last 14 days to today.
/// </summary>
internal sealed record AnalyticsFilter(LocalDate From, LocalDate To, string? ClientId)
{
    /// <summary>The longest period one request may ask for, in days.</summary>
    public const int MaxDays = 366;

    public const int DefaultDays = 14;

    /// <summary>
    /// The filter, or what is wrong with it by parameter name (then the filter is the default one, for the
    /// form). <paramref name="clientExists"/> says whether a client id is known.
    /// </summary>
    public static (AnalyticsFilter Filter, IReadOnlyList<(string Field, string Error)> Errors) Parse(
        IQueryCollection query, LocalDate today, Func<string, bool> clientExists)
    {
        ArgumentNullException.ThrowIfNull(query);
        var errors = new List<(string, string)>();
        LocalDate? Date(string name)
        {
            var raw = query[name].ToString();
            if (raw.Length == 0)
            {
                return null;
            }

            var parsed = LocalDatePattern.Iso.Parse(raw);
            if (!parsed.Success)
            {
                errors.Add((name, "must be a date as yyyy-mm-dd, such as 2026-12-01"));
                return null;
            }

            return parsed.Value;
        }

        var from = Date("from");
        var to = Date("to");
        var client = query["client_id"].ToString() is { Length: > 0 } c ? c : null;
        if (client is not null && !clientExists(client))
        {
            errors.Add(("client_id", "is not a client"));
        }

        var end = to ?? today;
        var start = from ?? end.PlusDays(-(DefaultDays - 1));
        if (errors.Count == 0 && start > end)
        {
            errors.Add(("to", "must not be before from"));
        }
        else if (errors.Count == 0 && Period.DaysBetween(start, end) >= MaxDays)
        {
            errors.Add(("to", $"must be less than {MaxDays} days after from"));
        }

        var fallback = new AnalyticsFilter(today.PlusDays(-(DefaultDays - 1)), today, null);
        return errors.Count > 0 ? (fallback, errors) : (new AnalyticsFilter(start, end, client), errors);
    }
}
