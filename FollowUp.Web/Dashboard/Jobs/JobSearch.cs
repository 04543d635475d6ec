using System.Globalization;
using FollowUp.Jobs.Engine;
using NodaTime;

namespace FollowUp.Web.Dashboard.Jobs;

/// <summary>
/// A jobs list query as the search form sends it: a state, and optional filters on the job (id, type,
/// when its state changed) and on the message it sends (recipient, call, client, kind).
/// </summary>
internal sealed class JobSearch
{
    public string State { get; set; } = nameof(JobState.Failed);

    public long? Id { get; set; }

    public string? Type { get; set; }

    public string? Recipient { get; set; }

    public string? CallId { get; set; }

    public string? Client { get; set; }

    public string? Kind { get; set; }

    /// <summary>State changed on or after this UTC date.</summary>
    public DateOnly? From { get; set; }

    /// <summary>State changed on or before this UTC date (the whole day).</summary>
    public DateOnly? To { get; set; }

    /// <summary>Why this search cannot run, per field; empty when it can.</summary>
    public Dictionary<string, string> Problems()
    {
        var problems = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!Enum.TryParse<JobState>(State, ignoreCase: false, out _))
        {
            problems[nameof(State)] = $"'{State}' is not a job state ({string.Join(", ", Enum.GetNames<JobState>())}).";
        }

        if (From is { } f && To is { } t && t < f)
        {
            problems[nameof(To)] = $"The end date {t:yyyy-MM-dd} is before the start date {f:yyyy-MM-dd}.";
        }

        return problems;
    }

    /// <summary>True when a filter besides the state is set.</summary>
    public bool IsFiltered =>
        Id is not null || !string.IsNullOrWhiteSpace(Type) || !string.IsNullOrWhiteSpace(Recipient) || !string.IsNullOrWhiteSpace(CallId)
        || !string.IsNullOrWhiteSpace(Client) || !string.IsNullOrWhiteSpace(Kind) || From is not null || To is not null;

    public Instant? FromInstant => From is { } d ? Instant.FromUtc(d.Year, d.Month, d.Day, 0, 0) : null;

    public Instant? ToInstant => To is { } d ? Instant.FromUtc(d.Year, d.Month, d.Day, 0, 0) + Duration.FromDays(1) : null;

    /// <summary>The search as route values (for links and for the bulk form).</summary>
    public Dictionary<string, string> ToRouteValues()
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal) { ["state"] = State };
        void Add(string key, string? value)
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                values[key] = value.Trim();
            }
        }

        Add("id", Id?.ToString(CultureInfo.InvariantCulture));
        Add("type", Type);
        Add("recipient", Recipient);
        Add("callId", CallId);
        Add("client", Client);
        Add("kind", Kind);
        Add("from", From?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Add("to", To?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        return values;
    }

    /// <summary>A one-line description for the audit log and the progress page.</summary>
    public string Describe() => string.Join(" ", ToRouteValues().Select(kv => $"{kv.Key}={kv.Value}"));
}
