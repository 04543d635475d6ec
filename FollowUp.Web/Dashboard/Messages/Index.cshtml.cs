using FollowUp.Web.Dashboard.Overview;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace FollowUp.Web.Dashboard.Messages;

/// <summary>Messages by status: preview, provider and its id, cost, skip reason or error.</summary>
internal sealed class IndexModel(MessageQueries queries, OverviewQueries overview) : PageModel
{
    public string Status { get; private set; } = "sent";

    public IReadOnlyList<MessageRow> Rows { get; private set; } = [];

    public StateCounts Counts { get; private set; } = new(new Dictionary<string, long>(), null);

    public async Task<IActionResult> OnGetAsync(string? status, long? before, CancellationToken cancellationToken)
    {
        Status = status ?? "sent";
        if (!MessageQueries.Statuses.Contains(Status))
        {
            return BadRequest($"'{status}' is not a message status ({string.Join(", ", MessageQueries.Statuses)}).");
        }

        Counts = await overview.CountsAsync(cancellationToken);
        Rows = await queries.PageAsync(Status, before, cancellationToken);
        return Page();
    }
}
