using System.Globalization;
using NodaTime;
using NodaTime.Text;

namespace FollowUp.Web.Dashboard;

/// <summary>How the dashboard writes times, durations and numbers: UTC, invariant, compact.</summary>
internal static class Format
{
    private static readonly InstantPattern TimePattern = InstantPattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd HH':'mm':'ss'Z'");

    public static string Time(Instant? at) => at is { } a ? TimePattern.Format(a) : "—";

    /// <summary>"3 d 4 h", "5 min 2 s", "850 ms": the two largest units.</summary>
    public static string Span(Duration d)
    {
        if (d < Duration.Zero)
        {
            return "in " + Span(-d);
        }

        if (d.TotalSeconds < 1)
        {
            return $"{(int)d.TotalMilliseconds} ms";
        }

        if (d.TotalMinutes < 1)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{d.TotalSeconds:0.#} s");
        }

        if (d.TotalHours < 1)
        {
            return $"{d.Minutes} min {d.Seconds} s";
        }

        return d.TotalDays < 1 ? $"{d.Hours} h {d.Minutes} min" : $"{d.Days} d {d.Hours} h";
    }

    public static string Age(Instant at, Instant now) => Span(now - at) + (now >= at ? " ago" : "");

    public static string Number(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    public static string Money(decimal? amount, string? currency) =>
        amount is { } a ? string.Create(CultureInfo.InvariantCulture, $"{a:0.00##} {currency}") : "—";

    public static string Preview(string? text, int length = 120) =>
        text is null ? "" : text.Length <= length ? text : string.Concat(text.AsSpan(0, length), "…");
}
