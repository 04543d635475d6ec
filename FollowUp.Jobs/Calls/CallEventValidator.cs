using FluentValidation;
using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Contracts;

namespace FollowUp.Jobs.Calls;

/// <summary>
/// Checks a call event field by field; property names in errors are the JSON paths
/// (<c>customer.phone</c>, <c>appointment.starts_at</c>), so a 422 names exactly what to fix.
/// </summary>
public sealed class CallEventValidator : AbstractValidator<CallEvent>
{
    public const int MaxIdLength = 200;

    /// <summary>The longest <c>summary</c>, <c>intent</c> and <c>notes</c> accepted, in characters.</summary>
    public const int MaxSummaryLength = 2000, MaxIntentLength = 200, MaxNotesLength = 1000;

    public CallEventValidator()
    {
        RuleFor(e => e.EventId).NotEmpty().MaximumLength(MaxIdLength).OverridePropertyName("event_id");
        RuleFor(e => e.Event).Equal("call_ended").WithMessage("must be \"call_ended\"").OverridePropertyName("event");
        RuleFor(e => e.ClientId).NotEmpty().OverridePropertyName("client_id");
        RuleFor(e => e.CallId).NotEmpty().MaximumLength(MaxIdLength).OverridePropertyName("call_id");
        RuleFor(e => e.OccurredAt)
            .Must(v => CallTimes.TryParse(v, out _))
            .WithMessage($"must be {CallTimes.Expected}, such as 2026-11-22T15:04:05Z")
            .OverridePropertyName("occurred_at");
        RuleFor(e => e.Outcome)
            .Must(o => CallOutcome.All.Contains(o, StringComparer.Ordinal))
            .WithMessage($"must be one of {string.Join(", ", CallOutcome.All)}")
            .OverridePropertyName("outcome");

        RuleFor(e => e.Customer).NotNull().OverridePropertyName("customer");
        When(e => e.Customer is not null, () =>
        {
            // Why, precisely ("is not a valid number for region US"); CallIntake stores it as E.164.
            RuleFor(e => e.Customer.Phone).Must(E164.IsValid)
                .WithMessage((_, phone) => E164.ProblemWith(phone)!).OverridePropertyName("customer.phone");
            RuleFor(e => e.Customer.Email).Must(Recipients.IsEmailAddress).When(e => e.Customer.Email is not null)
                .WithMessage("must be an email address such as ana@example.com").OverridePropertyName("customer.email");
            RuleFor(e => e.Customer.Name).MaximumLength(200).OverridePropertyName("customer.name");
        });

        RuleFor(e => e.Summary).MaximumLength(MaxSummaryLength).WithMessage($"must be at most {MaxSummaryLength} characters")
            .OverridePropertyName("summary");
        RuleFor(e => e.Intent).MaximumLength(MaxIntentLength).WithMessage($"must be at most {MaxIntentLength} characters")
            .OverridePropertyName("intent");
        RuleFor(e => e.Notes).MaximumLength(MaxNotesLength).WithMessage($"must be at most {MaxNotesLength} characters")
            .OverridePropertyName("notes");

        RuleFor(e => e.Appointment).NotNull().When(e => CallOutcome.NeedsAppointment(e.Outcome))
            .WithMessage(e => $"is required when the outcome is {e.Outcome}").OverridePropertyName("appointment");
        When(e => e.Appointment is not null, () =>
        {
            RuleFor(e => e.Appointment!.Id).NotEmpty().MaximumLength(MaxIdLength).OverridePropertyName("appointment.id");
            RuleFor(e => e.Appointment!.StartsAt)
                .Must(v => CallTimes.TryParse(v, out _))
                .WithMessage($"must be {CallTimes.Expected}, such as 2026-11-25T14:00:00-05:00")
                .OverridePropertyName("appointment.starts_at");
            RuleFor(e => e.Appointment!.Service).MaximumLength(200).OverridePropertyName("appointment.service");
        });
    }
}
