using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Engine;
using FollowUp.Jobs.Messages;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace FollowUp.Web.Dashboard.DeadLetters;

/// <summary>Edit a dead-lettered message (recipient, subject, body) and requeue its job: validated, audited.</summary>
internal sealed class EditModel(FollowUp.Jobs.Engine.DeadLetters deadLetters, IMessageClient messages, DeadLetterActions actions) : PageModel
{
    public DeadLetter Letter { get; private set; } = null!;

    public MessageInfo Message { get; private set; } = null!;

    public string? To { get; private set; }

    public string? Subject { get; private set; }

    public string? Body { get; private set; }

    public IReadOnlyDictionary<string, string> Problems { get; private set; } = new Dictionary<string, string>();

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken cancellationToken) =>
        await LoadAsync(id, cancellationToken) ?? Page();

    public async Task<IActionResult> OnPostAsync(long id, string? to, string? subject, string? body, CancellationToken cancellationToken)
    {
        if (await LoadAsync(id, cancellationToken) is { } notFound)
        {
            return notFound;
        }

        (To, Subject, Body) = (to, subject, body);
        var edit = new MessageEdit(
            Recipient: to?.Trim() is { } t && t != Message.Recipient ? t : null,
            Subject: Message.Channel == Channel.Email && subject != Message.Subject ? subject ?? "" : null,
            Body: body != Message.Body ? body ?? "" : null);
        var problems = await actions.EditAndRetryAsync(id, Message, edit, User.Identity!.Name!, cancellationToken);
        if (problems.Count > 0)
        {
            Problems = problems;
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        TempData["Notice"] = $"Message {Message.Id} edited; job {Letter.JobId} requeued.";
        return RedirectToPage("/Dashboard/DeadLetters/Index");
    }

    private async Task<IActionResult?> LoadAsync(long id, CancellationToken cancellationToken)
    {
        if (await deadLetters.FindAsync(id, cancellationToken) is not { } letter)
        {
            return NotFound($"There is no dead letter {id}.");
        }

        var messageId = letter.MessageId;
        if (messageId is null || await messages.FindAsync(messageId.Value, cancellationToken) is not { } message)
        {
            return NotFound($"Dead letter {id} is a {letter.JobType} job, not a message: it can be requeued or discarded, not edited.");
        }

        if (letter.Resolution is not null)
        {
            TempData["Problem"] = $"Dead letter {id} was {letter.Resolution.ToLowerInvariant()} already.";
        }

        (Letter, Message) = (letter, message);
        return null;
    }
}
