using FollowUp.Jobs.Messages;
using FollowUp.Web.Api;
using FollowUp.Web.Dashboard.Overview;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace FollowUp.Web.Dashboard.Messages;

/// <summary>
/// Messages by status: preview, provider and its id, cost, skip reason or error; searchable and
/// filtered as <c>GET /api/messages</c> is (the same parameters, parsing and query).
/// </summary>
internal sealed class IndexModel(MessageQueries queries, OverviewQueries overview) : PageModel
{
    public string Status { get; private set; } = "sent";

    public IReadOnlyList<MessageRow> Rows { get; private set; } = [];

    public StateCounts Counts { get; private set; } = new(new Dictionary<string, long>(), null);

    /// <summary>The filter as given (for the form and the pager); status apart.</summary>
    public MessageFilter Filter { get; private set; } = new();

    /// <summary>What is wrong with the filter, by parameter; nothing is listed then.</summary>
    public IReadOnlyList<string> Errors { get; private set; } = [];

    /// <summary>Any filter beyond the status tab.</summary>
    public bool Filtered { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? status, CancellationToken cancellationToken)
    {
        Status = status ?? "sent";
        if (!MessageQueries.Statuses.Contains(Status))
        {
            return BadRequest($"'{status}' is not a message status ({string.Join(", ", MessageQueries.Statuses)}).");
        }

        Counts = await overview.CountsAsync(cancellationToken);
        var (filter, _, errors) = MessageListQuery.Parse(Request.Query);
        Filter = filter with { Status = Status };
        Filtered = filter with { Status = null, Before = null } != new MessageFilter();
        if (errors.Count > 0)
        {
            Errors = errors.Select(e => $"{e.PropertyName} {e.ErrorMessage}").ToList();
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Page();
        }

        // Unfiltered, a status tab is one index range (messages_status_id); filtered, the API's search.
        Rows = Filtered
            ? await queries.SearchAsync(Filter, cancellationToken)
            : await queries.PageAsync(Status, filter.Before, cancellationToken);
        return Page();
    }

    /// <summary>A query parameter as typed (the form shows it back so, not as parsed), or null.</summary>
    public string? Raw(string name) => Request.Query[name].ToString() is { Length: > 0 } value ? value : null;

    /// <summary>This page's query string with <paramref name="status"/> and <paramref name="before"/>, keeping the filter.</summary>
    public string Link(string status, long? before)
    {
        var query = new Dictionary<string, string?>
        {
            ["status"] = status, ["client_id"] = Filter.ClientId, ["kind"] = Filter.Kind, ["channel"] = Filter.Channel?.Name,
            ["to"] = Raw("to"), ["q"] = Filter.Query, ["from"] = Raw("from"), ["until"] = Raw("until"),
            ["before"] = before?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        return Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString("/dashboard/messages",
            query.Where(p => p.Value is not null).Select(p => new KeyValuePair<string, string?>(p.Key, p.Value)));
    }
}
