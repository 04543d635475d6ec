using System.Text.Json.Serialization;
using FollowUp.Jobs.Templates;

namespace FollowUp.Jobs.Clients;

/// <summary>
/// A client (a business) as the API reads and writes it. <see cref="WebhookSecret"/> is write-only:
/// stored, used to verify signatures, never returned.
/// </summary>
public sealed record ClientSettings
{
    public required string Name { get; init; }

    /// <summary>IANA zone, e.g. America/New_York: every local time of this client is in it.</summary>
    public required string TimeZone { get; init; }

    /// <summary>Weekday key (mon…sun) → [open, close] as "HH:mm"; "24:00" closes at the end of the day; an absent day is closed.</summary>
    public required IReadOnlyDictionary<string, IReadOnlyList<string>> BusinessHours { get; init; }

    /// <summary>Local dates (yyyy-MM-dd) the business is closed all day.</summary>
    public IReadOnlyList<string> ClosedDates { get; init; } = [];

    /// <summary>
    /// <see cref="BusinessHours"/> and <see cref="ClosedDates"/> in <see cref="TimeZone"/>, and
    /// <see cref="RecipientHours"/>, parsed: set by <see cref="ClientStore"/> when it reads the client, so a
    /// plan or a send attempt does not parse the strings again; null on settings that did not come from
    /// the store (an API body before it is saved). Never on the wire. Read it through <see cref="ClientHours.Of"/>.
    /// </summary>
    [JsonIgnore]
    public ClientHours? ParsedHours { get; init; }

    /// <summary>Required when creating; omitted on a replace, the stored secret is kept.</summary>
    public string? WebhookSecret { get; init; }

    public bool EmailEnabled { get; init; } = true;

    public bool MissedCallTextBack { get; init; }

    /// <summary>Marketing messages per recipient per local day; transactional kinds are exempt.</summary>
    public int DailyLimitPerRecipient { get; init; } = 3;

    /// <summary>
    /// ["HH:mm", "HH:mm"]: when marketing kinds (nurture, the missed-call text-back) may reach a
    /// recipient, in the recipient's own local time (zones from the number; see <see cref="Clients.RecipientHours"/>),
    /// on top of <see cref="BusinessHours"/>. Default 08:00–21:00; "24:00" ends at midnight, so
    /// ["00:00", "24:00"] turns the check off.
    /// </summary>
    public IReadOnlyList<string> RecipientHours { get; init; } = Clients.RecipientHours.Default;

    /// <summary>
    /// Where this client's SMS may go: ISO 3166 region codes ("US", "CA"). Null (absent) means the client's
    /// own country, the region of <see cref="SmsFrom"/>, or else the country of <see cref="TimeZone"/>
    /// (none for a zone of no country, such as UTC: then every country). An SMS to a number elsewhere,
    /// or to a premium-rate number anywhere, is planned as skipped (<see cref="Messages.SkipReasons"/>): a
    /// spoofed caller cannot make the business pay for a text abroad. See <c>Calls.SmsDestinations</c>.
    /// </summary>
    public IReadOnlyList<string>? SmsCountries { get; init; }

    /// <summary>
    /// This client's SMS providers in failover order (<c>twilio</c>, <c>webhook</c>), overriding the global
    /// <c>FollowUp:Sms:Providers</c> for its messages; only the ones listed are used, so <c>["webhook"]</c> sends
    /// all its SMS through the webhook route. Null (absent): the global order.
    /// </summary>
    public IReadOnlyList<string>? SmsProviders { get; init; }

    /// <summary>Missed-call text-backs sent in any 60 minutes; beyond it they are planned as skipped. Default 30.</summary>
    public int TextBackHourlyLimit { get; init; } = DefaultTextBackHourlyLimit;

    /// <summary>Text-backs a client may send in any hour unless it says otherwise.</summary>
    public const int DefaultTextBackHourlyLimit = 30;

    /// <summary>Sender number, stored as E.164, or null for the provider's configured sender.</summary>
    public string? SmsFrom { get; init; }

    /// <summary>"Name &lt;address&gt;" or an address, or null for the provider's configured sender.</summary>
    public string? EmailFrom { get; init; }

    /// <summary>
    /// Per kind (confirmation, reminder_24h, reminder_1h, nurture_day1, nurture_day4, cancellation,
    /// missed_call): on/off, email on/off, templates. An absent kind is on, with email and the built-in templates.
    /// </summary>
    public IReadOnlyDictionary<string, FollowUpSettings> FollowUps { get; init; } = new Dictionary<string, FollowUpSettings>();

    /// <summary>
    /// The words that confirm, cancel or ask to reschedule an appointment when a customer replies to
    /// its confirmation or reminders; null (absent) uses <see cref="Clients.ReplyKeywords.Default"/>.
    /// Read back with the defaults filled in.
    /// </summary>
    public ReplyKeywords? ReplyKeywords { get; init; }

    /// <summary>Where a customer books online: the value of the <c>{booking_url}</c> placeholder in nurture and text-back templates.</summary>
    public string? BookingUrl { get; init; }

    /// <summary>
    /// The reply to a customer's HELP or INFO (the program's name and how to reach the business, as US
    /// carriers require), at most 320 characters; null sends no reply of ours (the number's provider may
    /// answer with its own default).
    /// </summary>
    public string? HelpText { get; init; }

    /// <summary>AI-written follow-ups (off when null or not enabled; see <see cref="AiCopySettings"/>).</summary>
    public AiCopySettings? AiCopy { get; init; }

    /// <summary>The business's webhook for events (replies, appointment answers, delivery); null for none.</summary>
    public NotificationSettings? Notifications { get; init; }

    /// <summary>
    /// The client's own SMS webhook route: when set, every SMS of the client goes through it (and no other
    /// provider); null for the providers as configured.
    /// </summary>
    public SmsRouteSettings? SmsRoute { get; init; }

    /// <summary>
    /// Computed on read, never stored: each kind's SMS rendered with sample values, and the segments it
    /// takes. Sending it on a write is a validation error.
    /// </summary>
    public IReadOnlyDictionary<string, TemplatePreview>? TemplatePreviews { get; init; }
}
