using FluentValidation;
using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Messages;

namespace FollowUp.Web.Api;

/// <summary>
/// <c>POST /api/messages</c> (and the compose page): a client and a channel, then what the message says
/// and to whom by <see cref="MessageContentValidator"/>, the rules edit and retry applies too.
/// </summary>
internal sealed class MessageRequestValidator : AbstractValidator<MessageRequest>
{
    public MessageRequestValidator()
    {
        RuleFor(m => m.ClientId).NotEmpty().OverridePropertyName("client_id");
        RuleFor(m => m.Channel).Must(c => Channel.TryParse(c, out _)).WithMessage("must be \"sms\" or \"email\"").OverridePropertyName("channel");
        RuleFor(m => m).Custom((request, context) =>
        {
            var channel = Channel.TryParse(request.Channel, out var named) ? named : null;
            foreach (var failure in MessageContentValidator.Instance.Validate(new MessageContent(channel, request.To, request.Subject, request.Body)).Errors)
            {
                context.AddFailure(failure);
            }
        });
    }
}
