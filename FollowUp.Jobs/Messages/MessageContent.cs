using FollowUp.Jobs.Channels;

namespace FollowUp.Jobs.Messages;

/// <summary>
/// What a message says and to whom, as checked by <see cref="MessageContentValidator"/> wherever a
/// person writes one: the API's ad-hoc message, the dashboard's compose page, edit and retry.
/// </summary>
/// <param name="Channel">Its channel, or null when none was named (only the body is then checked).</param>
/// <param name="To">An E.164 number (any punctuation) for SMS, an email address for email.</param>
/// <param name="Subject">An email's subject; absent for SMS.</param>
/// <param name="Body">The text.</param>
public sealed record MessageContent(Channel? Channel, string? To, string? Subject, string? Body);
