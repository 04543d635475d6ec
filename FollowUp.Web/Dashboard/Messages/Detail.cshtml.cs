using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace FollowUp.Web.Dashboard.Messages;

/// <summary>One message in full, with its events.</summary>
internal sealed class DetailModel(MessageQueries queries) : PageModel
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
}
