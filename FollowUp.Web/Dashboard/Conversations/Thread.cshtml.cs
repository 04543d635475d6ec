using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Conversations;
using FollowUp.Web.Dashboard.Access;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace FollowUp.Web.Dashboard.Conversations;

/// <summary>
/// One conversation: messages and replies in time order, refreshed live. An operator's visit marks the
/// replies read (a viewer only reads); an operator answers from here with a transactional SMS through the
/// normal pipeline (opt-out and checks at send time), audited.
/// </summary>
internal sealed class ThreadModel(ConversationQueries conversations, InboundReplies replies, AuditLog audit) : PageModel
{
    public const int MaxReply = 1600;

    public Conversation Conversation { get; private set; } = new();

    public string? Draft { get; private set; }

    public string? Problem { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? client, string? phone, CancellationToken cancellationToken)
    {
        if (await LoadAsync(client, phone, cancellationToken) is { } refused)
        {
            return refused;
        }

        if (User.IsInRole(DashboardRoles.Operator) && Conversation.Unread > 0)
        {
            await conversations.MarkReadAsync(Conversation.ClientId, Conversation.Phone, User.Identity!.Name!, cancellationToken);
        }

        return Page();
    }

    public async Task<IActionResult> OnPostReplyAsync(string? client, string? phone, string? body, CancellationToken cancellationToken)
    {
        if (await LoadAsync(client, phone, cancellationToken) is { } refused)
        {
            return refused;
        }

        Draft = body;
        Problem = string.IsNullOrWhiteSpace(body) ? "Write a reply first."
            : body.Length > MaxReply ? $"A reply is at most {MaxReply} characters (this one is {body.Length})."
            : null;
        if (Problem is not null)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        var id = await replies.ReplyAsync(Conversation.ClientId, Conversation.Phone, body!.Trim(), CancellationToken.None);
        await audit.WriteAsync(User.Identity!.Name!, "conversation.reply", $"message {id}", null,
            new { clientId = Conversation.ClientId, phone = Conversation.Phone, body = body.Trim() }, CancellationToken.None);
        TempData["Notice"] = Conversation.OptedOut
            ? $"Reply {id} planned; the customer has opted out, so it will be skipped."
            : $"Reply {id} planned.";
        return Redirect(Link(Conversation.ClientId, Conversation.Phone));
    }

    public static string Link(string clientId, string phone) =>
        $"/dashboard/conversations/thread?client={Uri.EscapeDataString(clientId)}&phone={Uri.EscapeDataString(phone)}";

    private async Task<IActionResult?> LoadAsync(string? client, string? phone, CancellationToken cancellationToken)
    {
        if (!E164.TryNormalize(phone, out var e164, out var problem))
        {
            return BadRequest($"A conversation needs ?phone=, an E.164 number such as +12125550123: phone {problem}.");
        }

        if (string.IsNullOrEmpty(client))
        {
            return BadRequest("A conversation needs ?client=, the client's id.");
        }

        if (await conversations.ThreadAsync(client, e164, cancellationToken) is not { } thread)
        {
            return NotFound($"There is no client '{client}'.");
        }

        Conversation = thread;
        return null;
    }
}
