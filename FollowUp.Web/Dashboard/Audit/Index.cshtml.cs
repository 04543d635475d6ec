using FollowUp.Web.Dashboard.Access;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace FollowUp.Web.Dashboard.Audit;

/// <summary>Who did what, newest first.</summary>
internal sealed class IndexModel(AuditLog audit) : PageModel
{
    public const int PageSize = 100;

    public IReadOnlyList<AuditEntry> Entries { get; private set; } = [];

    public async Task OnGetAsync(long? before, CancellationToken cancellationToken) =>
        Entries = await audit.ListAsync(PageSize, before, cancellationToken);
}
