using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace FollowUp.Web.Dashboard.DeadLetters;

/// <summary>The progress of a bulk requeue started on this node.</summary>
internal sealed class BulkModel(BulkOperations operations) : PageModel
{
    public BulkOperation Operation { get; private set; } = null!;

    public IActionResult OnGet(Guid id)
    {
        if (operations.Find(id) is not { } operation)
        {
            return NotFound($"No bulk operation {id} on this node (it ran elsewhere, or this node restarted since).");
        }

        Operation = operation;
        return Page();
    }
}
