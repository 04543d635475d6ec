using FluentValidation;
using FluentValidation.Results;
using FollowUp.Jobs.Channels;

namespace FollowUp.Jobs.Messages;

/// <summary>
/// The one set of rules for a message a person writes (<c>POST /api/messages</c>, compose, edit and
/// retry), each failure under its field's wire name (<c>to</c>, <c>subject</c>, <c>body</c>):
/// a body of 1 to 10,000 characters (1,600 for SMS); an SMS to a number libphonenumber accepts, with no
/// subject; an email to an address, with a subject of one line (a CR or LF would start another header)
/// of at most 998 characters (RFC 5322's line limit).
/// </summary>
public sealed class MessageContentValidator : AbstractValidator<MessageContent>
{
    /// <summary>The rules; stateless, so one instance serves every caller.</summary>
    public static readonly MessageContentValidator Instance = new();

    /// <summary>Builds the rules (prefer <see cref="Instance"/>).</summary>
    public MessageContentValidator()
    {
        RuleFor(m => m.Body).NotEmpty().MaximumLength(10_000).OverridePropertyName("body");
        When(m => m.Channel == Channel.Sms, () =>
        {
            // Why, precisely ("is not a valid number for region US"); the message is stored with the number as E.164.
            RuleFor(m => m.To).Must(E164.IsValid).WithMessage((_, to) => E164.ProblemWith(to)!).OverridePropertyName("to");
            RuleFor(m => m.Body).MaximumLength(1_600).WithMessage("must be at most 1600 characters for SMS").OverridePropertyName("body");
            RuleFor(m => m.Subject).Null().WithMessage("is not used for SMS").OverridePropertyName("subject");
        });
        When(m => m.Channel == Channel.Email, () =>
        {
            RuleFor(m => m.To).NotEmpty().Must(Recipients.IsEmailAddress).WithMessage("must be an email address").OverridePropertyName("to");
            RuleFor(m => m.Subject).NotEmpty().MaximumLength(998)
                // A header is one line; a line break would start another header (injection).
                .Must(s => s is null || s.AsSpan().IndexOfAny('\r', '\n') < 0).WithMessage("must be one line (no CR or LF)")
                .OverridePropertyName("subject");
        });
    }

    /// <summary>
    /// The first problem of each field of <paramref name="content"/>, as a sentence a person reads beside
    /// the field: "'555-0100' must start with + and the country code, such as +12125550123." for a
    /// recipient, the validator's own wording for the rest. Empty when the content is valid.
    /// </summary>
    public IReadOnlyDictionary<string, string> Problems(MessageContent content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var problems = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var failure in Validate(content).Errors)
        {
            problems.TryAdd(failure.PropertyName, Sentence(failure, content));
        }

        return problems;
    }

    // A recipient's problem names the recipient as written ("'555-0100' is …"); the others carry their
    // field's name already ("'body' must not be empty.").
    private static string Sentence(ValidationFailure failure, MessageContent content) =>
        failure.PropertyName == "to" && failure.ErrorCode != "NotEmptyValidator"
            ? $"'{content.To}' {failure.ErrorMessage}."
            : failure.ErrorMessage;
}
