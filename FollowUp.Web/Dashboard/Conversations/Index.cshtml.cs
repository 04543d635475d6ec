using FollowUp.Jobs.Conversations;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace FollowUp.Web.Dashboard.Conversations;

/// <summary>Conversations, latest reply first, with unread counts; search by the customer's name or phone. Refreshed live.</summary>
internal sealed class IndexModel(ConversationQueries conversations) : PageModel
{
    public const int PageSize = 50;

    public string? Search { get; private set; }

    public IReadOnlyList<ConversationSummary> Rows { get; private set; } = [];

    public async Task OnGetAsync(string? q, CancellationToken cancellationToken)
    {
        Search = q is { Length: > 100 } ? q[..100] : q;
        Rows = await conversations.ListAsync(null, Search, PageSize, cancellationToken);
    }
}
