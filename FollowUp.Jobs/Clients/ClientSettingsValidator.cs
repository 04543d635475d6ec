using System.Globalization;
using System.Text.RegularExpressions;
using FluentValidation;
using FollowUp.Jobs.Channels;
using FluentValidation.Results;
using NodaTime;

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
        RuleFor(c => c.FollowUps)
            .Custom((followUps, context) =>
            {
                foreach (var (kind, settings) in followUps ?? new Dictionary<string, FollowUpSettings>())
                {
                    ValidateFollowUp(kind, settings, (path, message) => context.AddFailure(new ValidationFailure(path, message)));
                }
            });
    }

    // Templates are checked here, when saved, so that sending never meets an unknown placeholder.
    private static void ValidateFollowUp(string kind, FollowUpSettings? settings, Action<string, string> fail)
    {
        var path = $"follow_ups.{kind}";
        if (!Calls.DefaultTemplates.Kinds.Contains(kind, StringComparer.Ordinal))
        {
            fail(path, $"is not a follow-up kind ({string.Join(", ", Calls.DefaultTemplates.Kinds)})");
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

            foreach (var problem in Calls.MessageTemplate.Problems(template, kind))
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
