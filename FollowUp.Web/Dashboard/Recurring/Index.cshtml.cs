using FollowUp.Jobs.Engine;
using FollowUp.Web.Dashboard.Access;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NodaTime;

namespace FollowUp.Web.Dashboard.Recurring;

/// <summary>Recurring jobs: next and last run; trigger now, pause, resume (audited).</summary>
internal sealed class IndexModel(IJobClient jobs, AuditLog audit, IClock clock) : PageModel
{
    public IReadOnlyList<RecurringJobInfo> Jobs { get; private set; } = [];

    public Instant Now { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Now = clock.GetCurrentInstant();
        Jobs = await jobs.ListRecurringAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostTriggerAsync(string id, CancellationToken cancellationToken)
    {
        if (await jobs.TriggerRecurringAsync(id, cancellationToken) is not { } jobId)
        {
            return NotFound($"There is no recurring job '{id}'.");
        }

        await audit.WriteAsync(User.Identity!.Name!, "recurring.trigger", $"recurring {id}", null, new { jobId }, cancellationToken);
        TempData["Notice"] = $"Recurring job {id} triggered: job {jobId} enqueued.";
        return RedirectToPage();
    }

    public Task<IActionResult> OnPostPauseAsync(string id, CancellationToken cancellationToken) => SetPausedAsync(id, true, cancellationToken);

    public Task<IActionResult> OnPostResumeAsync(string id, CancellationToken cancellationToken) => SetPausedAsync(id, false, cancellationToken);

    private async Task<IActionResult> SetPausedAsync(string id, bool paused, CancellationToken cancellationToken)
    {
        if (!await jobs.SetRecurringPausedAsync(id, paused, cancellationToken))
        {
            TempData["Problem"] = $"Recurring job '{id}' does not exist or is {(paused ? "paused" : "active")} already.";
            return RedirectToPage();
        }

        await audit.WriteAsync(User.Identity!.Name!, paused ? "recurring.pause" : "recurring.resume", $"recurring {id}",
            new { paused = !paused }, new { paused }, cancellationToken);
        TempData["Notice"] = $"Recurring job {id} {(paused ? "paused" : "resumed")}.";
        return RedirectToPage();
    }
}
