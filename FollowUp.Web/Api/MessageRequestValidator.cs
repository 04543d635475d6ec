using FluentValidation;
using FollowUp.Jobs.Channels;

namespace FollowUp.Web.Api;

internal sealed class MessageRequestValidator : AbstractValidator<MessageRequest>
{
    public MessageRequestValidator()
    {
        RuleFor(m => m.ClientId).NotEmpty().OverridePropertyName("client_id");
        RuleFor(m => m.Channel).Must(c => c is "sms" or "email").WithMessage("must be \"sms\" or \"email\"").OverridePropertyName("channel");
        RuleFor(m => m.Body).NotEmpty().MaximumLength(10_000).OverridePropertyName("body");
        When(m => m.Channel == "sms", () =>
        {
            // Why, precisely ("is not a valid number for region US"); the message is stored with the number as E.164.
            RuleFor(m => m.To).Must(E164.IsValid).WithMessage((_, to) => E164.ProblemWith(to)!).OverridePropertyName("to");
            RuleFor(m => m.Body).MaximumLength(1_600).WithMessage("must be at most 1600 characters for SMS").OverridePropertyName("body");
            RuleFor(m => m.Subject).Null().WithMessage("is not used for SMS").OverridePropertyName("subject");
        });
        When(m => m.Channel == "email", () =>
        {
            RuleFor(m => m.To).NotEmpty().Must(Recipients.IsEmailAddress).WithMessage("must be an email address").OverridePropertyName("to");
            RuleFor(m => m.Subject).NotEmpty().MaximumLength(998)
                // A header is one line; a line break would start another header (injection).
                .Must(s => s is null || s.AsSpan().IndexOfAny('\r', '\n') < 0).WithMessage("must be one line (no CR or LF)")
                .OverridePropertyName("subject");
        });
    }
}
