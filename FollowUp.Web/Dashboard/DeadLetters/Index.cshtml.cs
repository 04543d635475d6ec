using FollowUp.Jobs.Engine;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NodaTime;

namespace FollowUp.Web.Dashboard.DeadLetters;

/// <summary>Open dead letters, newest first: requeue (one, selected, all), discard, edit and retry.</summary>
internal sealed class IndexModel(
    FollowUp.Jobs.Engine.DeadLetters deadLetters, DeadLetterActions actions, BulkOperations bulk, IClock clock) : PageModel
{
    public const int PageSize = 50;

    public IReadOnlyList<DeadLetter> Letters { get; private set; } = [];

    public long OpenCount { get; private set; }

    public Instant Now { get; private set; }

    public async Task OnGetAsync(long? before, CancellationToken cancellationToken)
    {
        Now = clock.GetCurrentInstant();
        Letters = await deadLetters.ListOpenAsync(PageSize, before, cancellationToken);
        OpenCount = await deadLetters.CountOpenAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostRequeueAsync(long id, CancellationToken cancellationToken) =>
        Done(await actions.RequeueAsync(id, User.Identity!.Name!, cancellationToken));

    public async Task<IActionResult> OnPostDiscardAsync(long id, CancellationToken cancellationToken) =>
        Done(await actions.DiscardAsync(id, User.Identity!.Name!, cancellationToken));

    public async Task<IActionResult> OnPostRequeueSelectedAsync(long[] ids, CancellationToken cancellationToken)
    {
        if (ids.Length == 0)
        {
            return Done((false, "Select at least one dead letter first."));
        }

        var requeued = 0;
        foreach (var id in ids)
        {
            requeued += (await actions.RequeueAsync(id, User.Identity!.Name!, cancellationToken)).Done ? 1 : 0;
        }

        return Done((true, $"Requeued {requeued} of {ids.Length} selected dead letter(s)."
            + (requeued < ids.Length ? " The others were resolved already." : "")));
    }

    /// <summary>Every open dead letter (a discarded one stays discarded), server-side in batches, with a progress page.</summary>
    public async Task<IActionResult> OnPostRequeueAllAsync(CancellationToken cancellationToken)
    {
        var operation = await bulk.StartRequeueDeadLettersAsync(User.Identity!.Name!, cancellationToken);
        return operation is null
            ? Done((false, $"{BulkOperations.MaxRunning} bulk requeues are already running on this node; try again when one has finished."))
            : Redirect($"/dashboard/deadletters/bulk/{operation.Id}");
    }

    private RedirectToPageResult Done((bool Done, string Message) result)
    {
        TempData[result.Done ? "Notice" : "Problem"] = result.Message;
        return RedirectToPage();
    }
}
