using FollowUp.Jobs.Messages;

namespace FollowUp.Web.Api;

/// <summary>A page of <c>GET /api/messages</c>: newest first; <see cref="NextBefore"/> is the next page's <c>before</c>, null on the last.</summary>
internal sealed record MessagePage(IReadOnlyList<MessageInfo> Messages, long? NextBefore);
