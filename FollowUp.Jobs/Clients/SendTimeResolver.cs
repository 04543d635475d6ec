using FollowUp.Jobs.Clients;
using NodaTime;

namespace FollowUp.Jobs.Clients;

/// <summary>
/// When a marketing message (nurture, the missed-call text-back) may go: the first instant that is
/// inside the client's business hours and inside the recipient's hours in every zone of their number.
/// The planner uses it to place a message, and the send job to defer one that came due outside.
/// Transactional kinds never ask: they go at their time, any hour.
/// </summary>
public static class SendTimeResolver
{
    // Business hours look a year ahead; so does this.
    private static readonly Duration Horizon = Duration.FromDays(370);

    /// <summary>
    /// <paramref name="from"/> itself when both are open then, else the first instant after it when
    /// both are; null when there is none within a year: the business never opens, or it is open only
    /// while the recipient's window is shut (a New York office hours 09:00–17:00 and a number in Guam).
    /// </summary>
    public static Instant? MarketingAt(Instant from, BusinessHours business, RecipientHours recipient)
    {
        ArgumentNullException.ThrowIfNull(business);
        ArgumentNullException.ThrowIfNull(recipient);
        // Alternate: the next business opening, then the recipient's next opening from there, until one
        // instant satisfies both. Each step moves forward onto an opening, so this ends.
        for (var t = from; t - from <= Horizon;)
        {
            if (business.NextOpeningAt(t) is not { } open)
            {
                return null;
            }

            var allowed = recipient.NextOpeningAt(open);
            if (allowed == open)
            {
                return open;
            }

            t = allowed;
        }

        return null;
    }
}
