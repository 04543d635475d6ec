using FollowUp.Jobs.Messages;
using FollowUp.Web.Dashboard.Access;
using FollowUp.Web.Dashboard.Messages;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NodaTime;

namespace FollowUp.Web.Dashboard.Schedule;

/// <summary>Planned sends of the next 48 hours by hour; cancel one.</summary>
internal sealed class IndexModel(MessageQueries queries, IMessageClient messages, AuditLog audit, IClock clock) : PageModel
{
    public Instant From { get; private set; }

    public Instant To { get; private set; }

    public IReadOnlyList<MessageRow> Rows { get; private set; } = [];

    public static Instant HourOf(Instant at) => Instant.FromUnixTimeSeconds(at.ToUnixTimeSeconds() / 3600 * 3600);

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        From = clock.GetCurrentInstant();
        To = From + Duration.FromHours(48);
        Rows = await queries.ScheduledAsync(From, To, cancellationToken);
    }

    public async Task<IActionResult> OnPostCancelAsync(long id, CancellationToken cancellationToken)
    {
        var actor = User.Identity!.Name!;
        var message = await queries.FindAsync(id, cancellationToken);
        if (message is null)
        {
            return NotFound($"There is no message {id}.");
        }

        // The message and its job in one transaction (IMessageClient.CancelAsync, as the API would).
        if (!await messages.CancelAsync(id, actor, cancellationToken))
        {
            TempData["Problem"] = $"Message {id} is {message.Status} now: only a message that has not gone out can be cancelled.";
            return RedirectToPage();
        }

        await audit.WriteAsync(actor, "message.cancel", $"message {id} (job {message.JobId})",
            new { status = message.Status }, new { status = "cancelled" }, cancellationToken);
        TempData["Notice"] = $"Message {id} to {message.Recipient} cancelled.";
        return RedirectToPage();
    }
}
