using Dapper;
using FollowUp.Jobs.Engine;
using FollowUp.Web.Dashboard.Access;
using FollowUp.Web.Dashboard.Messages;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;
using NodaTime;

namespace FollowUp.Web.Dashboard.Schedule;

/// <summary>Planned sends of the next 48 hours by hour; cancel one.</summary>
internal sealed class IndexModel(MessageQueries queries, IJobClient jobs, NpgsqlDataSource dataSource, AuditLog audit, IClock clock) : PageModel
{
    public Instant From { get; private set; }

    public Instant To { get; private set; }

    public IReadOnlyList<MessageRow> Rows { get; private set; } = [];

    public static Instant HourOf(Instant at) => Instant.FromUnixTimeSeconds(at.ToUnixTimeSeconds() / 3600 * 3600);

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        From = clock.GetCurrentInstant();
        To = From + Duration.FromHours(48);
        Rows = await queries.ScheduledAsync(From, To, cancellationToken);
    }

    // The message is cancelled only if it is still scheduled, in the same transaction as its job's guarded
    // Cancel transition: both change, or (the job already running or gone) neither.
    private const string CancelMessageSql = """
        update messages set status = 'cancelled', updated_at = @now
        where id = @id and status = 'scheduled'
        """;

    public async Task<IActionResult> OnPostCancelAsync(long id, CancellationToken cancellationToken)
    {
        var actor = User.Identity!.Name!;
        var message = await queries.FindAsync(id, cancellationToken);
        if (message is null)
        {
            return NotFound($"There is no message {id}.");
        }

        var cancelled = false;
        if (message is { Status: "scheduled", JobId: { } jobId })
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            if (await jobs.CancelAsync(jobId, actor, transaction, cancellationToken)
                && await connection.ExecuteAsync(new CommandDefinition(CancelMessageSql,
                    new { id, now = clock.GetCurrentInstant() }, transaction, cancellationToken: cancellationToken)) == 1)
            {
                await transaction.CommitAsync(cancellationToken);
                cancelled = true;
            }
        }

        if (!cancelled)
        {
            TempData["Problem"] = $"Message {id} is {message.Status} now (its job may be running): only a scheduled message can be cancelled.";
            return RedirectToPage();
        }

        await audit.WriteAsync(actor, "message.cancel", $"message {id} (job {message.JobId})",
            new { status = message.Status }, new { status = "cancelled" }, cancellationToken);
        TempData["Notice"] = $"Message {id} to {message.Recipient} cancelled.";
        return RedirectToPage();
    }
}
