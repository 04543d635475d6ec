using FollowUp.Web.Dashboard.Overview;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace FollowUp.Web.Dashboard.Jobs;

/// <summary>Jobs by state: search, keyset pages, and requeue / cancel of selected rows or all matching.</summary>
internal sealed class IndexModel(JobQueries queries, OverviewQueries overview, BulkOperations bulk) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public JobSearch Search { get; set; } = new();

    [BindProperty(SupportsGet = true, Name = "after")]
    public string? Cursor { get; set; }

    public IReadOnlyList<JobRow> Rows { get; private set; } = [];

    public string? NextCursor { get; private set; }

    public StateCounts Counts { get; private set; } = new(new Dictionary<string, long>(), null);

    public IReadOnlyDictionary<string, string> Problems { get; private set; } = new Dictionary<string, string>();

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        Counts = await overview.CountsAsync(cancellationToken);
        Problems = AllProblems();
        if (Problems.Count > 0)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        Rows = await queries.PageAsync(Search, Cursor, cancellationToken);
        NextCursor = Rows.Count == JobQueries.PageSize ? JobQueries.Cursor(Rows[^1]) : null;
        return Page();
    }

    /// <summary>Requeue or cancel the ticked rows, one guarded transition each.</summary>
    public async Task<IActionResult> OnPostSelectedAsync(string? bulkAction, long[] ids, CancellationToken cancellationToken)
    {
        if (bulkAction is not ("requeue" or "cancel"))
        {
            return BadRequest($"The action must be requeue or cancel, not '{bulkAction}'.");
        }

        if (ids.Length == 0)
        {
            TempData["Problem"] = "Select at least one job first.";
            return RedirectToPage(Search.ToRouteValues());
        }

        var (changed, skipped) = await bulk.ApplyAsync(bulkAction, ids, User.Identity!.Name!, cancellationToken);
        TempData["Notice"] = $"{(bulkAction == "requeue" ? "Requeued" : "Cancelled")} {changed} of {ids.Length} selected job(s)"
            + (skipped > 0 ? $"; {skipped} had changed state and were left alone." : ".");
        return RedirectToPage(Search.ToRouteValues());
    }

    /// <summary>Requeue or cancel every job matching the search, server-side in batches; shows progress.</summary>
    public async Task<IActionResult> OnPostAllAsync(string? bulkAction, CancellationToken cancellationToken)
    {
        if (bulkAction is not ("requeue" or "cancel"))
        {
            return BadRequest($"The action must be requeue or cancel, not '{bulkAction}'.");
        }

        if (AllProblems() is { Count: > 0 } problems)
        {
            return BadRequest(string.Join(" ", problems.Select(p => $"{p.Key}: {p.Value}")));
        }

        var operation = await bulk.StartAsync(bulkAction, Search, User.Identity!.Name!, cancellationToken);
        return Redirect($"/dashboard/jobs/bulk/{operation.Id}");
    }

    private Dictionary<string, string> AllProblems()
    {
        var problems = Search.Problems();
        foreach (var (key, entry) in ModelState)
        {
            foreach (var error in entry.Errors)
            {
                problems[key] = string.IsNullOrEmpty(error.ErrorMessage) ? "is not valid." : error.ErrorMessage;
            }
        }

        return problems;
    }
}
