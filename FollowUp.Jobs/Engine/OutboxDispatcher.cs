using System.Diagnostics;
using System.Globalization;
using System.Transactions;
using Dapper;
using Hangfire;
using NodaTime;

namespace FollowUp.Jobs.Engine;

/// <summary>
/// The one outbox mechanism: claims a batch of an <see cref="IOutbox{TRow}"/>'s rows, creates their
/// Hangfire jobs and writes the job ids back, all in one <see cref="TransactionScope"/> — one PostgreSQL
/// transaction, because the claim, every <see cref="IBackgroundJobClient.Create"/> and the write-back run
/// one after another on the one physical connection the scope enlisted (<see cref="EngineConnections"/>).
/// A row and its job therefore commit together or not at all: a crash or a failed <c>Create</c> anywhere
/// in the batch leaves neither jobs nor job ids, and the rows wait for the next pass.
/// </summary>
/// <remarks>
/// <para>Hangfire.PostgreSql runs each of its writes in a scope of its own
/// (<c>TransactionScopeOption.Required</c>, <c>EnableTransactionScopeEnlistment</c> on, its default), which
/// joins the ambient one here; its in-process queue wake-ups fire on the ambient commit.</para>
/// <para>Only one connection may be open at a time inside the scope: a second open connection would be a
/// second enlistment and a two-phase commit. Ours is closed before the jobs are created and opened
/// again for the write-back.</para>
/// </remarks>
internal sealed class OutboxDispatcher(EngineConnections connections, IBackgroundJobClient jobs, IClock clock)
{
    // Far longer than a batch takes (100 creates: tens of milliseconds); a stalled database aborts it.
    private static readonly TimeSpan BatchTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Gives the rows <paramref name="outbox"/>'s claim returns for <paramref name="parameters"/> their jobs,
    /// in one transaction. Returns how many; 0 when none were waiting. Throws when the batch failed
    /// (nothing of it committed).
    /// </summary>
    public async Task<int> DispatchAsync<TRow>(IOutbox<TRow> outbox, object parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outbox);
        using var scope = new TransactionScope(TransactionScopeOption.RequiresNew,
            new TransactionOptions { IsolationLevel = IsolationLevel.ReadCommitted, Timeout = BatchTimeout },
            TransactionScopeAsyncFlowOption.Enabled);
        List<TRow> rows;
        await using (var connection = await connections.OpenAsync(cancellationToken))
        {
            rows = (await connection.QueryAsync<TRow>(new CommandDefinition(outbox.ClaimSql, parameters, cancellationToken: cancellationToken))).AsList();
        }

        if (rows.Count == 0)
        {
            scope.Complete();
            return 0;
        }

        var now = clock.GetCurrentInstant();
        var ids = new long[rows.Count];
        var jobIds = new long[rows.Count];
        // One span per batch, linked to each row's planning trace (a batch serves many calls).
        using var activity = Telemetry.FollowUpTelemetry.Source.StartActivity("dispatch", ActivityKind.Internal, parentContext: default,
            links: rows.Select(r => Telemetry.FollowUpTelemetry.ContextOf(outbox.TraceParentOf(r))).Where(c => c != default).Select(c => new ActivityLink(c)));
        activity?.SetTag("followup.outbox.rows", rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var (job, state) = outbox.JobOf(rows[i], now);
            ids[i] = outbox.IdOf(rows[i]);
            // The job carries its row's trace, not this batch's: its run continues the call that planned it.
            using (JobTraceContext.Use(outbox.TraceParentOf(rows[i])))
            {
                jobIds[i] = long.Parse(jobs.Create(job, state), CultureInfo.InvariantCulture);
            }
        }

        await using (var connection = await connections.OpenAsync(cancellationToken))
        {
            await connection.ExecuteAsync(new CommandDefinition(outbox.RecordSql, new { ids, jobIds, now = now.ToDateTimeUtc() },
                cancellationToken: cancellationToken));
        }

        // Checkpoint: rows, jobs and job ids commit here together, or none of them does.
        scope.Complete();
        scope.Dispose();
        foreach (var row in rows)
        {
            outbox.Dispatched(row);
        }

        return rows.Count;
    }
}
