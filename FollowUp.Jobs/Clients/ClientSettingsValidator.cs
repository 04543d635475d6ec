using System.Globalization;
using System.Text.RegularExpressions;
using FluentValidation;
using FollowUp.Jobs.Channels;
using FluentValidation.Results;
using NodaTime;
using FollowUp.Jobs.Templates;

namespace FollowUp.Jobs.Clients;

/// <summary>Validates a client document; property names in errors are the JSON (snake_case) names.</summary>
public sealed partial class ClientSettingsValidator : AbstractValidator<ClientSettings>
{
    public static readonly string[] WeekdayKeys = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

    public ClientSettingsValidator(bool creating)
    {
        RuleFor(c => c.Name).NotEmpty().MaximumLength(200).OverridePropertyName("name");
        RuleFor(c => c.TimeZone)
            .Must(z => z is not null && DateTimeZoneProviders.Tzdb.GetZoneOrNull(z) is not null)
            .WithMessage("must be an IANA time zone id such as America/New_York")
            .OverridePropertyName("time_zone");
        RuleFor(c => c.BusinessHours).NotNull().OverridePropertyName("business_hours");
        RuleFor(c => c.BusinessHours)
            .Custom((hours, context) =>
            {
                foreach (var (day, span) in hours ?? new Dictionary<string, IReadOnlyList<string>>())
                {
                    ValidateDay(day, span, (path, message) => context.AddFailure(new ValidationFailure(path, message)));
                }
            });
        RuleForEach(c => c.ClosedDates)
            .Must(d => DateOnly.TryParseExact(d, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            .WithMessage("must be a date yyyy-MM-dd")
            .OverridePropertyName("closed_dates");
        if (creating)
        {
            RuleFor(c => c.WebhookSecret).NotEmpty().WithMessage("is required when creating a client").OverridePropertyName("webhook_secret");
        }

        RuleFor(c => c.WebhookSecret).MinimumLength(16).When(c => c.WebhookSecret is not null)
            .WithMessage("must be at least 16 characters").OverridePropertyName("webhook_secret");
        RuleFor(c => c.DailyLimitPerRecipient).InclusiveBetween(0, 100).OverridePropertyName("daily_limit_per_recipient");
        RuleFor(c => c.RecipientHours)
            .Custom((span, context) => ValidateSpan("recipient_hours", span, "ends before it starts (it is when sending is allowed, such as [\"08:00\", \"21:00\"])",
                (path, message) => context.AddFailure(new ValidationFailure(path, message))));
        RuleFor(c => c.SmsFrom).Must(E164.IsValid).When(c => c.SmsFrom is not null)
            .WithMessage((_, from) => E164.ProblemWith(from)!).OverridePropertyName("sms_from");
        RuleFor(c => c.EmailFrom).Must(Recipients.IsMailbox).When(c => c.EmailFrom is not null)
            .WithMessage("must be an address or \"Name <address>\"").OverridePropertyName("email_from");
        RuleFor(c => c.TemplatePreviews).Null().WithMessage("is computed by the server; do not send it")
            .OverridePropertyName("template_previews");
        RuleFor(c => c.FollowUps).NotNull().OverridePropertyName("follow_ups");
        RuleFor(c => c)
            .Custom((client, context) =>
            {
                foreach (var (kind, settings) in client.FollowUps ?? new Dictionary<string, FollowUpSettings>())
                {
                    ValidateFollowUp(kind, settings, client.BookingUrl is not null,
                        (path, message) => context.AddFailure(new ValidationFailure(path, message)));
                }
            });
        RuleFor(c => c.BookingUrl)
            .Must(u => IsWebUrl(u, allowPlainHttp: true) && u!.Length <= 500)
            .When(c => c.BookingUrl is not null)
            .WithMessage("must be an absolute http or https URL of at most 500 characters")
            .OverridePropertyName("booking_url");
        RuleFor(c => c.TextBackHourlyLimit).InclusiveBetween(0, 10_000).OverridePropertyName("text_back_hourly_limit");
        RuleFor(c => c.SmsCountries)
            .Custom((countries, context) =>
            {
                for (var i = 0; i < countries!.Count; i++)
                {
                    if (!E164.IsKnownRegion(countries[i]))
                    {
                        context.AddFailure(new ValidationFailure($"sms_countries[{i}]",
                            "must be an ISO 3166 region code in capitals that has phone numbers, such as US or CA"));
                    }
                }

                if (countries.Count == 0)
                {
                    context.AddFailure(new ValidationFailure("sms_countries", "must list at least one country, or be absent for the client's own"));
                }
            })
            .When(c => c.SmsCountries is not null);
        RuleFor(c => c.SmsProviders)
            .Custom((providers, context) =>
            {
                for (var i = 0; i < providers!.Count; i++)
                {
                    if (!Channels.Sms.SmsProviderNames.All.Contains(providers[i]))
                    {
                        context.AddFailure(new ValidationFailure($"sms_providers[{i}]",
                            $"must be one of {string.Join(", ", Channels.Sms.SmsProviderNames.All)}"));
                    }
                    else if (providers.Take(i).Contains(providers[i]))
                    {
                        context.AddFailure(new ValidationFailure($"sms_providers[{i}]", "is listed twice"));
                    }
                }

                if (providers.Count == 0)
                {
                    context.AddFailure(new ValidationFailure("sms_providers", "must list at least one provider, or be absent for the global order"));
                }
            })
            .When(c => c.SmsProviders is not null);
        RuleFor(c => c.HelpText)
            .Must(t => !string.IsNullOrWhiteSpace(t) && t.Length <= 320 && !t.Any(ch => char.IsControl(ch) && ch is not '\n'))
            .When(c => c.HelpText is not null)
            .WithMessage("must be 1 to 320 characters of text (line breaks allowed, no other control characters), or absent for no reply")
            .OverridePropertyName("help_text");
        RuleFor(c => c.ReplyKeywords)
            .Custom((keywords, context) => ValidateKeywords(keywords, (path, message) => context.AddFailure(new ValidationFailure(path, message))))
            .When(c => c.ReplyKeywords is not null);
        RuleFor(c => c.SmsRoute)
            .Custom((route, context) => ValidateSmsRoute(route!, (path, message) => context.AddFailure(new ValidationFailure(path, message))))
            .When(c => c.SmsRoute is not null);
        RuleFor(c => c.AiCopy)
            .Custom((ai, context) => ValidateAiCopy(ai!, (path, message) => context.AddFailure(new ValidationFailure(path, message))))
            .When(c => c.AiCopy is not null);
        RuleFor(c => c.Notifications)
            .Custom((notifications, context) => ValidateNotifications(notifications!, (path, message) => context.AddFailure(new ValidationFailure(path, message))))
            .When(c => c.Notifications is not null);
    }

    /// <summary>Carrier keywords a client cannot claim: the carriers and Twilio act on them whatever we do.</summary>
    /// <remarks>
    /// CANCEL (a carrier opt-out word) and YES (a carrier opt-in word) are allowed: FollowUp reads them as
    /// appointment answers only when the reply answers a booked appointment's message (docs/WEBHOOKS.md).
    /// </remarks>
    public static readonly string[] ReservedKeywords = ["STOP", "STOPALL", "UNSUBSCRIBE", "END", "QUIT", "HELP", "INFO", "START", "UNSTOP"];

    private static void ValidateKeywords(ReplyKeywords? keywords, Action<string, string> fail)
    {
        if (keywords is null)
        {
            return;
        }

        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, words) in new[] { ("confirm", keywords.Confirm), ("cancel", keywords.Cancel), ("reschedule", keywords.Reschedule) })
        {
            var path = $"reply_keywords.{name}";
            if (words is null)
            {
                fail(path, "must be a list of words (an empty list turns this answer off)");
                continue;
            }

            if (words.Count > 10)
            {
                fail(path, "must have at most 10 words");
            }

            for (var i = 0; i < words.Count; i++)
            {
                var word = ReplyKeywords.Normalize(words[i]);
                if (word.Length is 0 or > 20 || !word.All(char.IsLetterOrDigit))
                {
                    fail($"{path}[{i}]", "must be 1 to 20 letters or digits");
                }
                else if (ReservedKeywords.Contains(word, StringComparer.Ordinal))
                {
                    fail($"{path}[{i}]", $"'{word}' is a carrier keyword (opt-out, opt-in or help) and cannot be an appointment answer");
                }
                else if (seen.TryGetValue(word, out var other) && other != name)
                {
                    fail($"{path}[{i}]", $"'{word}' is already a {other} keyword");
                }
                else
                {
                    seen[word] = name;
                }
            }
        }
    }

    private static void ValidateSmsRoute(SmsRouteSettings route, Action<string, string> fail)
    {
        if (!IsWebUrl(route.Url, allowPlainHttp: false) || route.Url.Length > 500)
        {
            fail("sms_route.url", "must be an absolute https URL of at most 500 characters (http only to a loopback address such as 127.0.0.1)");
        }
        else if (Uri.TryCreate(route.Url, UriKind.Absolute, out var uri) && System.Net.IPAddress.TryParse(uri.Host.Trim('[', ']'), out var literal)
                 && !Notifications.ReceiverAddressGuard.IsPermitted(literal, allowLoopback: true))
        {
            // A host name is checked when each SMS is sent, on the address connected to; a literal can be refused now.
            fail("sms_route.url", "must not be a private, link-local or reserved address: SMS are only sent to public addresses");
        }

        if (route.Secret is { Length: < 16 })
        {
            fail("sms_route.secret", "must be at least 16 characters");
        }
    }

    private static void ValidateAiCopy(AiCopySettings ai, Action<string, string> fail)
    {
        if (ai.Kinds is { } kinds)
        {
            for (var i = 0; i < kinds.Count; i++)
            {
                if (!DefaultTemplates.Kinds.Contains(kinds[i], StringComparer.Ordinal))
                {
                    fail($"ai_copy.kinds[{i}]", $"must be one of {string.Join(", ", DefaultTemplates.Kinds)}");
                }
                else if (kinds.Take(i).Contains(kinds[i], StringComparer.Ordinal))
                {
                    fail($"ai_copy.kinds[{i}]", "is listed twice");
                }
            }

            if (kinds.Count == 0)
            {
                fail("ai_copy.kinds", "must list at least one kind, or be absent for every kind");
            }
        }

        if (ai.Tone is { } tone && (string.IsNullOrWhiteSpace(tone) || tone.Length > AiCopySettings.MaxToneLength || tone.Any(char.IsControl)))
        {
            fail("ai_copy.tone", $"must be 1 to {AiCopySettings.MaxToneLength} characters on one line, or absent");
        }

        if (ai.Instructions is { } instructions && (string.IsNullOrWhiteSpace(instructions)
            || instructions.Length > AiCopySettings.MaxInstructionsLength || instructions.Any(ch => char.IsControl(ch) && ch is not '\n')))
        {
            fail("ai_copy.instructions",
                $"must be 1 to {AiCopySettings.MaxInstructionsLength} characters of text (line breaks allowed, no other control characters), or absent");
        }

        if (ai.MaxSmsChars is < AiCopySettings.MinSmsChars or > AiCopySettings.MaxSmsCharsLimit)
        {
            fail("ai_copy.max_sms_chars", $"must be from {AiCopySettings.MinSmsChars} to {AiCopySettings.MaxSmsCharsLimit}");
        }

        if (ai.MaxWaitMs is < 0 or > AiCopySettings.MaxWaitMsLimit)
        {
            fail("ai_copy.max_wait_ms", $"must be from 0 to {AiCopySettings.MaxWaitMsLimit} (milliseconds a message due now may wait for its rewrite)");
        }
    }

    private static void ValidateNotifications(NotificationSettings notifications, Action<string, string> fail)
    {
        if (!IsWebUrl(notifications.Url, allowPlainHttp: false) || notifications.Url.Length > 500)
        {
            fail("notifications.url", "must be an absolute https URL of at most 500 characters (http only to a loopback address such as 127.0.0.1)");
        }

        if (notifications.Secret is { Length: < 16 })
        {
            fail("notifications.secret", "must be at least 16 characters");
        }

        if (notifications.Events is { } events)
        {
            for (var i = 0; i < events.Count; i++)
            {
                if (!Notifications.NotificationTypes.All.Contains(events[i], StringComparer.Ordinal))
                {
                    fail($"notifications.events[{i}]", $"is not an event type ({string.Join(", ", Notifications.NotificationTypes.All)})");
                }
            }
        }
    }

    /// <summary>An absolute http(s) URL without credentials; plain http only to loopback unless <paramref name="allowPlainHttp"/>.</summary>
    private static bool IsWebUrl(string? value, bool allowPlainHttp) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && string.IsNullOrEmpty(uri.UserInfo)
        && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && (allowPlainHttp || uri.IsLoopback)));

    // Templates are checked here, when saved, so that sending never meets an unknown placeholder.
    private static void ValidateFollowUp(string kind, FollowUpSettings? settings, bool hasBookingUrl, Action<string, string> fail)
    {
        var path = $"follow_ups.{kind}";
        if (!Templates.DefaultTemplates.Kinds.Contains(kind, StringComparer.Ordinal))
        {
            fail(path, $"is not a follow-up kind ({string.Join(", ", Templates.DefaultTemplates.Kinds)})");
            return;
        }

        if (settings is null)
        {
            fail(path, "must be an object");
            return;
        }

        foreach (var (field, template, max) in new[]
                 {
                     ("sms", settings.Sms, 1600), ("email_subject", settings.EmailSubject, 200), ("email_body", settings.EmailBody, 20000),
                 })
        {
            if (template is null)
            {
                continue;
            }

            foreach (var problem in Templates.MessageTemplate.Problems(template, kind, hasBookingUrl))
            {
                fail($"{path}.{field}", problem);
            }

            if (template.Length > max)
            {
                fail($"{path}.{field}", $"must be at most {max} characters");
            }

            if (field == "email_subject" && template.AsSpan().IndexOfAny('\r', '\n') >= 0)
            {
                // A header is one line; a line break would start another header (injection).
                fail($"{path}.{field}", "must be one line (no CR or LF)");
            }
        }
    }

    private static void ValidateDay(string day, IReadOnlyList<string>? span, Action<string, string> fail)
    {
        var path = $"business_hours.{day}";
        if (!WeekdayKeys.Contains(day, StringComparer.Ordinal))
        {
            fail(path, "is not a weekday key (mon, tue, wed, thu, fri, sat, sun)");
            return;
        }

        ValidateSpan(path, span, "closes before it opens", fail);
    }

    // ["HH:mm", "HH:mm"]: a start from 00:00 to 23:59 and a later end up to 24:00.
    private static void ValidateSpan(string path, IReadOnlyList<string>? span, string endsFirst, Action<string, string> fail)
    {
        if (span is not { Count: 2 })
        {
            fail(path, "must be [\"HH:mm\", \"HH:mm\"]");
            return;
        }

        var open = ParseTime(span[0], allowEndOfDay: false);
        var close = ParseTime(span[1], allowEndOfDay: true);
        if (open is null)
        {
            fail($"{path}[0]", "must be a time HH:mm from 00:00 to 23:59");
        }

        if (close is null)
        {
            fail($"{path}[1]", "must be a time HH:mm from 00:01 to 24:00");
        }

        if (open is { } o && close is { } c && c <= o)
        {
            fail(path, endsFirst);
        }
    }

    /// <summary>Minutes from midnight: "HH:mm", or "24:00" (1440) when <paramref name="allowEndOfDay"/>.</summary>
    public static int? ParseTime(string? value, bool allowEndOfDay)
    {
        if (value is null || !TimePattern().IsMatch(value))
        {
            return null;
        }

        var minutes = int.Parse(value[..2], CultureInfo.InvariantCulture) * 60 + int.Parse(value[3..], CultureInfo.InvariantCulture);
        return minutes switch
        {
            1440 when allowEndOfDay => 1440,
            < 1440 when allowEndOfDay && minutes == 0 => null,
            < 1440 => minutes,
            _ => null,
        };
    }

    [GeneratedRegex(@"^[0-2][0-9]:[0-5][0-9]$")]
    private static partial Regex TimePattern();
}
