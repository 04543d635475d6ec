using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace FollowUp.Web.Dashboard.Messages;

/// <summary>One message in full, with its events.</summary>
internal sealed class DetailModel(MessageQueries queries, FollowUp.Jobs.Copy.CopyStore copies, Access.AuditLog audit) : PageModel
{
    public MessageRow Message { get; private set; } = null!;

    public IReadOnlyList<MessageEvent> Events { get; private set; } = [];

    public MessageCopy? Copy { get; private set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken cancellationToken)
    {
        if (await queries.FindAsync(id, cancellationToken) is not { } message)
        {
            return NotFound($"There is no message {id}.");
        }

        Message = message;
        Events = await queries.EventsAsync(id, cancellationToken);
        Copy = await queries.CopyAsync(id, cancellationToken);
        return Page();
    }

    /// <summary>
    /// Puts the template back on a message the model wrote, before it goes out (operator; anti-forgery checked by
    /// Razor Pages; audited). Too late (sending, sent, cancelled) or not the model's: nothing changes and the page says why.
    /// </summary>
    public async Task<IActionResult> OnPostRevertAsync(long id, CancellationToken cancellationToken)
    {
        var actor = User.Identity!.Name!;
        if (await queries.FindAsync(id, cancellationToken) is not { } message)
        {
            return NotFound($"There is no message {id}.");
        }

        if (!await copies.RevertAsync(id, actor, cancellationToken))
        {
            TempData["Problem"] = $"Message {id} is {message.Status} and not written by AI, or has gone out: nothing was changed.";
            return RedirectToPage(new { id });
        }

        await audit.WriteAsync(actor, "message.revert_to_template", $"message {id}", new { written_by = "ai", body = message.Body },
            new { written_by = "template" }, cancellationToken);
        TempData["Notice"] = $"Message {id} will go with its template.";
        return RedirectToPage(new { id });
    }

    /// <summary>
    /// Asks the model for a new text (operator; anti-forgery; audited): the template goes back on the message at
    /// once and a personalise job asks again, under the same guardrails. Not asked about before, due or gone out:
    /// nothing changes and the page says why.
    /// </summary>
    public async Task<IActionResult> OnPostAskAgainAsync(long id, CancellationToken cancellationToken)
    {
        var actor = User.Identity!.Name!;
        if (await queries.FindAsync(id, cancellationToken) is not { } message)
        {
            return NotFound($"There is no message {id}.");
        }

        if (!await copies.AskAgainAsync(id, actor, cancellationToken))
        {
            TempData["Problem"] = $"Message {id} is {message.Status}: a new text can be asked for only before it is due, for a message the model was asked about.";
            return RedirectToPage(new { id });
        }

        await audit.WriteAsync(actor, "message.ask_new_text", $"message {id}", new { body = message.Body }, null, cancellationToken);
        TempData["Notice"] = $"A new text for message {id} was asked for; its template goes unless the new text passes every check in time.";
        return RedirectToPage(new { id });
    }
}
