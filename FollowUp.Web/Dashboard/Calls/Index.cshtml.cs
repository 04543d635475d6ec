using Dapper;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace FollowUp.Web.Dashboard.Calls;

/// <summary>
/// The inbound call-webhook journal (sql/0005): outcome, processing status, error, the raw body.
/// Replay of a failed webhook belongs to the call intake (issue #4) and is not offered here yet.
/// </summary>
internal sealed class IndexModel(NpgsqlDataSource dataSource) : PageModel
{
    public const int PageSize = 50;

    public string Status { get; private set; } = "all";

    public IReadOnlyList<InboundWebhook> Rows { get; private set; } = [];

    private const string Columns = """
        id, source, client_id, event_id, call_id, outcome, raw_body, status, attempts, error, received_at, processed_at
        """;

    // Newest first by id (ids are drawn in arrival order); the primary key serves "all", and a status
    // filter walks it backwards, which stays short because processed rows are the bulk and failed
    // ones are looked at soon after they fail.
    private const string PageSql = $"""
        select {Columns} from inbound_webhooks
        where (@status::text is null or status = @status) and (@before::bigint is null or id < @before)
        order by id desc limit @limit
        """;

    public async Task<IActionResult> OnGetAsync(string? status, long? before, CancellationToken cancellationToken)
    {
        Status = status ?? "all";
        if (Status is not ("all" or "received" or "processed" or "failed"))
        {
            return BadRequest($"'{status}' is not a webhook status (all, received, processed, failed).");
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        Rows = (await connection.QueryAsync<InboundWebhook>(new CommandDefinition(PageSql, new
        {
            status = Status == "all" ? null : Status, before, limit = PageSize,
        }, cancellationToken: cancellationToken))).AsList();
        return Page();
    }
}
