using System.Globalization;
using FollowUp.Jobs.Contracts;
using NodaTime;
using NodaTime.Text;

namespace FollowUp.Jobs.Calls;

/// <summary>
/// Twilio Voice status callbacks (<c>POST /webhooks/twilio/voice/{client_id}</c>, form-encoded, signed
/// with <c>X-Twilio-Signature</c> under the account's auth token). Only a missed call is a follow-up:
/// </summary>
/// <remarks>
/// <c>CallStatus</c> <c>no-answer</c> or <c>busy</c> → <c>no_answer</c>; <c>completed</c> with
/// <c>AnsweredBy</c> <c>machine_*</c> → <c>voicemail</c>; anything else (ringing, in-progress, a completed
/// human call, failed, canceled) → null. The customer is <c>From</c> on an inbound call and <c>To</c> on an
/// outbound one; the call ended at <c>Timestamp</c> (RFC 1123), or when the callback arrived; the event
/// id is <c>twilio:{CallSid}:{CallStatus}</c>, so Twilio's retries of one callback are one event.
/// </remarks>
public static class TwilioVoiceCallEvents
{
    /// <summary>The follow-up a status callback describes, or null.</summary>
    public static CallEvent? Map(string clientId, IReadOnlyDictionary<string, string> form, Instant receivedAt)
    {
        ArgumentNullException.ThrowIfNull(form);
        var status = form.GetValueOrDefault("CallStatus");
        var outcome = status switch
        {
            "no-answer" or "busy" => CallOutcome.NoAnswer,
            "completed" when form.GetValueOrDefault("AnsweredBy")?.StartsWith("machine", StringComparison.Ordinal) == true => CallOutcome.Voicemail,
            _ => null,
        };
        if (outcome is null)
        {
            return null;
        }

        var sid = form.GetValueOrDefault("CallSid") ?? "";
        var outbound = form.GetValueOrDefault("Direction")?.StartsWith("outbound", StringComparison.Ordinal) == true;
        var ended = DateTimeOffset.TryParse(form.GetValueOrDefault("Timestamp"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? Instant.FromDateTimeOffset(t)
            : receivedAt;
        return new CallEvent
        {
            EventId = $"twilio:{sid}:{status}",
            Event = "call_ended",
            ClientId = clientId,
            CallId = sid,
            OccurredAt = InstantPattern.ExtendedIso.Format(ended),
            Outcome = outcome,
            Customer = new CallCustomer { Phone = form.GetValueOrDefault(outbound ? "To" : "From")! },
        };
    }
}
