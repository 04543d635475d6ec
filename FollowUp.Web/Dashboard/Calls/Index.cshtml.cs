using FollowUp.Jobs.Calls;
using FollowUp.Web.Dashboard.Access;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace FollowUp.Web.Dashboard.Calls;

/// <summary>
/// The inbound call-webhook journal (sql/0005): outcome, processing status, error, the raw body; and
/// Replay (operator) of one that is not processed, through <see cref="CallIntake.ReplayAsync"/> (the
/// same as the API's), audited.
/// </summary>
internal sealed class IndexModel(CallIntake intake, AuditLog audit) : PageModel
{
    public const int PageSize = 50;

    public string Status { get; private set; } = "all";

    public IReadOnlyList<WebhookEntry> Rows { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(string? status, long? before, CancellationToken cancellationToken)
    {
        Status = status ?? "all";
        if (Status is not ("all" or "received" or "processed" or "failed"))
        {
            return BadRequest($"'{status}' is not a webhook status (all, received, processed, failed).");
        }

        Rows = await intake.ListAsync(Status == "all" ? null : Status, before, PageSize, includeBody: true, cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostReplayAsync(long id, string? status, CancellationToken cancellationToken)
    {
        var before = await intake.FindAsync(id, cancellationToken);
        if (before is null)
        {
            TempData["Problem"] = $"There is no call webhook {id}.";
            return RedirectToPage(new { status });
        }

        // Not the request's token: once started, processing finishes even if the browser goes away.
        var result = await intake.ReplayAsync(id, CancellationToken.None);
        var after = await intake.FindAsync(id, CancellationToken.None);
        if (result.Status is IntakeStatus.Accepted or IntakeStatus.Failed)
        {
            await audit.WriteAsync(User.Identity!.Name!, "call_webhook.replay", $"call webhook {id} ({before.EventId})",
                new { before.Status, before.Attempts, before.Error }, new { after!.Status, after.Attempts, after.Error }, CancellationToken.None);
        }

        if (result.Status == IntakeStatus.Failed)
        {
            TempData["Problem"] = $"Webhook {id} failed again: {result.Error}";
        }
        else
        {
            TempData["Notice"] = result.Status == IntakeStatus.Accepted
                ? $"Webhook {id} replayed: its follow-up is planned."
                : $"Webhook {id} was processed already; nothing new.";
        }

        return RedirectToPage(new { status });
    }
}
