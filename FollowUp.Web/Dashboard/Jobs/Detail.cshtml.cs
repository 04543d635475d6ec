using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace FollowUp.Web.Dashboard.Jobs;

/// <summary>One job: arguments, the state-history timeline with durations and exceptions; requeue, cancel.</summary>
internal sealed class DetailModel(JobDetails details, JobActions actions) : PageModel
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public JobDetail Job { get; private set; } = null!;

    public string PrettyArgs { get; private set; } = "";

    public IReadOnlyList<JobHistoryEntry> History { get; private set; } = [];

    public long? MessageId { get; private set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken cancellationToken)
    {
        if (await details.FindAsync(id, cancellationToken) is not { } job)
        {
            return NotFound($"There is no job {id} (finished jobs are deleted after the retention period).");
        }

        Job = job;
        using (var document = JsonDocument.Parse(job.Args))
        {
            PrettyArgs = JsonSerializer.Serialize(document.RootElement, Indented);
        }

        History = await details.HistoryAsync(id, cancellationToken);
        MessageId = await details.MessageIdAsync(id, cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostRequeueAsync(long id, CancellationToken cancellationToken)
    {
        var (done, message) = await actions.RequeueAsync(id, User.Identity!.Name!, cancellationToken);
        TempData[done ? "Notice" : "Problem"] = message;
        return Redirect($"/dashboard/jobs/{id}");
    }

    public async Task<IActionResult> OnPostCancelAsync(long id, CancellationToken cancellationToken)
    {
        var (done, message) = await actions.CancelAsync(id, User.Identity!.Name!, cancellationToken);
        TempData[done ? "Notice" : "Problem"] = message;
        return Redirect($"/dashboard/jobs/{id}");
    }
}
