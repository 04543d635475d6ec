using System.Globalization;
using System.Text;
using System.Text.Json;
using FollowUp.Jobs.Contracts;
using FollowUp.Jobs.Signing;
using NodaTime;
using NodaTime.Text;

namespace FollowUp.Jobs.Calls;

/// <summary>
/// Retell AI's webhooks (<c>POST /webhooks/retell/{client_id}</c>). Signed with
/// <c>x-retell-signature: v=&lt;unix ms&gt;,d=&lt;hex HMAC-SHA256(raw body + ms)&gt;</c> under the Retell API key,
/// which the client stores as its webhook secret. Only <c>call_analyzed</c> carries a follow-up:
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>call.disconnection_reason</c> <c>dial_no_answer</c> / <c>dial_busy</c> → <c>no_answer</c>;
/// <c>voicemail_reached</c> (or <c>call_analysis.in_voicemail</c>) → <c>voicemail</c>.</item>
/// <item>Otherwise <c>call_analysis.custom_analysis_data</c> supplies <c>outcome</c>, <c>appointment_id</c>,
/// <c>appointment_starts_at</c>, <c>service</c>, <c>customer_name</c>, <c>customer_email</c>, <c>intent</c> and
/// <c>notes</c> (fields the agent's post-call analysis is configured to extract); <c>call_analysis.call_summary</c>
/// is the call's <c>summary</c>.</item>
/// <item>The customer is <c>from_number</c> on an inbound call, <c>to_number</c> on an outbound one; the
/// call ended at <c>end_timestamp</c> (unix ms); the event id is <c>retell:{call_id}</c>.</item>
/// </list>
/// Other events, and calls whose analysis names no outcome, are not follow-ups: <see cref="Map"/> returns null.
/// </remarks>
public static class RetellCallEvents
{
    public const string Header = "x-retell-signature";

    public static string Sign(string apiKey, long unixMilliseconds, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(apiKey);
        return "v=" + unixMilliseconds.ToString(CultureInfo.InvariantCulture) + ",d=" + Hex(apiKey, unixMilliseconds, body);
    }

    /// <summary>Retell's signature checked as <see cref="TimestampedSignature"/> checks every timestamped one (milliseconds, 300 s either way).</summary>
    public static SignatureCheck Verify(string apiKey, string? header, ReadOnlySpan<byte> body, Instant now)
    {
        ArgumentNullException.ThrowIfNull(apiKey);
        return TimestampedSignature.Verify(header, "v", "d", Duration.FromMilliseconds(1), now, body, (ms, signed) => Hex(apiKey, ms, signed));
    }

    /// <summary>The follow-up a Retell webhook describes, or null when it describes none.</summary>
    /// <exception cref="JsonException">The body is not JSON, or not Retell's shape (a <c>call.end_timestamp</c> or
    /// <c>call.start_timestamp</c> that is not a whole number of milliseconds; <see cref="JsonException.Path"/> names it).</exception>
    public static CallEvent? Map(string clientId, string rawBody)
    {
        using var document = JsonDocument.Parse(rawBody);
        var root = document.RootElement;
        var eventName = Text(root, "event") ?? Text(root, "event_type");
        if (eventName != "call_analyzed" || !root.TryGetProperty("call", out var call) || call.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var analysis = call.TryGetProperty("call_analysis", out var a) && a.ValueKind == JsonValueKind.Object ? a : default;
        var custom = analysis.ValueKind == JsonValueKind.Object && analysis.TryGetProperty("custom_analysis_data", out var c)
            && c.ValueKind == JsonValueKind.Object ? c : default;
        var outcome = Text(call, "disconnection_reason") switch
        {
            "dial_no_answer" or "dial_busy" => CallOutcome.NoAnswer,
            "voicemail_reached" => CallOutcome.Voicemail,
            _ when analysis.ValueKind == JsonValueKind.Object && analysis.TryGetProperty("in_voicemail", out var vm)
                   && vm.ValueKind == JsonValueKind.True => CallOutcome.Voicemail,
            _ => Text(custom, "outcome"),
        };
        if (outcome is null)
        {
            return null;
        }

        var callId = Text(call, "call_id") ?? "";
        var ended = UnixMilliseconds(call, "end_timestamp") ?? UnixMilliseconds(call, "start_timestamp");
        var appointmentId = Text(custom, "appointment_id");
        var startsAt = Text(custom, "appointment_starts_at");
        return new CallEvent
        {
            EventId = "retell:" + callId,
            Event = "call_ended",
            ClientId = clientId,
            CallId = callId,
            OccurredAt = ended is { } e ? InstantPattern.ExtendedIso.Format(Instant.FromUnixTimeMilliseconds(e)) : null!,
            Outcome = outcome,
            Customer = new CallCustomer
            {
                Phone = (Text(call, "direction") == "outbound" ? Text(call, "to_number") : Text(call, "from_number"))!,
                Name = Text(custom, "customer_name"),
                Email = Text(custom, "customer_email"),
            },
            Appointment = appointmentId is null && startsAt is null ? null : new CallAppointment
            {
                Id = appointmentId!,
                StartsAt = startsAt!,
                Service = Text(custom, "service"),
            },
            // Retell's analysis is not ours to shorten at the source: a long one is cut to our limit rather
            // than refusing the call's follow-ups over it.
            Summary = Cut(Text(analysis, "call_summary"), CallEventValidator.MaxSummaryLength),
            Intent = Cut(Text(custom, "intent"), CallEventValidator.MaxIntentLength),
            Notes = Cut(Text(custom, "notes"), CallEventValidator.MaxNotesLength),
        };
    }

    // Absent or null: not known. Anything else that is no instant (true, "soon", 1.5, 10^18) is refused,
    // naming the field, rather than throwing past the caller or being read as another time.
    private static long? UnixMilliseconds(JsonElement call, string name)
    {
        if (!call.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var ms) && ms >= MinMilliseconds && ms <= MaxMilliseconds
            ? ms
            : throw new JsonException($"call.{name} must be a whole number of unix milliseconds.", $"$.call.{name}", null, null);
    }

    private static string? Cut(string? text, int max) => text is { Length: var n } && n > max ? text[..max] : text;

    private static readonly long MinMilliseconds = Instant.MinValue.ToUnixTimeMilliseconds();
    private static readonly long MaxMilliseconds = Instant.MaxValue.ToUnixTimeMilliseconds();

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            && value.GetString() is { Length: > 0 } text ? text : null;

    // Signed: the raw body, then the milliseconds.
    private static string Hex(string apiKey, long unixMilliseconds, ReadOnlySpan<byte> body) =>
        WebhookHmac.Hex(apiKey, body, Encoding.UTF8.GetBytes(unixMilliseconds.ToString(CultureInfo.InvariantCulture)));
}
