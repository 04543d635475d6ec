using Dapper;
using Npgsql;
using NodaTime;

namespace FollowUp.Jobs.Copy;

/// <summary>
/// Reads and writes what AI-written follow-ups need: <c>copy_requests</c> (the personalise job's outbox), the
/// call's context, and each message's copy columns (<c>written_by</c>, <c>template_body</c>, <c>ai_*</c>). It
/// changes a message's body, never its status: the body is replaced only by a statement that finds the
/// message still <c>scheduled</c> and not yet due, so a send is never held and never sees half a change.
/// </summary>
public sealed class CopyStore(NpgsqlDataSource dataSource, IClock clock)
{
    /// <summary>Records, inside the plan's transaction, that <paramref name="callId"/>'s messages are to be rewritten; its job follows the commit.</summary>
    internal static async Task InsertRequestAsync(string clientId, string callId, Instant now, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        await transaction.Connection!.ExecuteAsync(new CommandDefinition(
            "insert into copy_requests (client_id, call_id, created_at) values (@clientId, @callId, @now)",
            new { clientId, callId, now }, transaction, cancellationToken: cancellationToken));
    }

    internal async Task<CopyRequest?> FindRequestAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<CopyRequest>(new CommandDefinition(
            "select id, client_id, call_id, done_at from copy_requests where id = @id", new { id }, cancellationToken: cancellationToken));
    }

    internal async Task CompleteRequestAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("update copy_requests set done_at = @now where id = @id and done_at is null",
            new { id, now = clock.GetCurrentInstant() }, cancellationToken: cancellationToken));
    }

    internal async Task<CopyCall?> CallAsync(string clientId, string callId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<CopyCall>(new CommandDefinition("""
            select customer_name, appointment_starts_at, appointment_service, summary, intent, notes
            from calls where client_id = @clientId and call_id = @callId
            """, new { clientId, callId }, cancellationToken: cancellationToken));
    }

    /// <summary>The call's messages a rewrite may still replace: scheduled, due after <paramref name="now"/>, written by the template and not tried before.</summary>
    internal async Task<IReadOnlyList<CopyCandidate>> CandidatesAsync(string clientId, string callId, Instant now, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<CopyCandidate>(new CommandDefinition("""
            select id, kind, channel, body, scheduled_for from messages
            where client_id = @clientId and call_id = @callId and status = 'scheduled' and written_by = 'template'
              and (ai_at is null or ai_again) and scheduled_for > @now
            order by scheduled_for, id
            """, new { clientId, callId, now }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>What the model has cost this deployment since <paramref name="since"/> (recorded on every message it was asked about).</summary>
    internal async Task<decimal> SpentSinceAsync(Instant since, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<decimal>(new CommandDefinition(
            "select coalesce(sum(ai_cost), 0) from messages where ai_at >= @since", new { since }, cancellationToken: cancellationToken));
    }

    // Checkpoint: the one statement that changes a body. It re-checks, in the row it changes, that the message is
    // still scheduled (no attempt has it sending), still the template's, and not yet due; otherwise it changes nothing.
    private const string ReplaceSql = """
        with replaced as (
            update messages set template_body = body, body = @body, written_by = 'ai', ai_model = @model,
                ai_input_tokens = coalesce(ai_input_tokens, 0) + @inputTokens, ai_output_tokens = coalesce(ai_output_tokens, 0) + @outputTokens,
                ai_cost = coalesce(ai_cost, 0) + @cost, ai_kept_reason = null, ai_again = false, ai_at = @now, updated_at = @now
            where id = @id and status = 'scheduled' and written_by = 'template' and scheduled_for > @now
            returning id
        )
        insert into message_events (message_id, at, event, detail)
        select id, @now, 'ai_written', @detail from replaced
        returning message_id
        """;

    /// <summary>Replaces the template with the model's checked text; false (nothing changed) when the message is due, sending or gone.</summary>
    internal async Task<bool> ReplaceAsync(long id, string body, CopyDraft draft, decimal cost, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(draft);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var changed = await connection.QueryAsync<long>(new CommandDefinition(ReplaceSql, new
        {
            id, body, model = draft.Model, inputTokens = (int)draft.InputTokens, outputTokens = (int)draft.OutputTokens, cost,
            now = clock.GetCurrentInstant(), detail = $"written by {draft.Model} ({draft.InputTokens} in, {draft.OutputTokens} out tokens)",
        }, cancellationToken: cancellationToken));
        return changed.Any();
    }

    private const string KeepSql = """
        with kept as (
            update messages set ai_kept_reason = @reason, ai_model = coalesce(@model, ai_model),
                ai_input_tokens = case when @model::text is null then ai_input_tokens else coalesce(ai_input_tokens, 0) + @inputTokens end,
                ai_output_tokens = case when @model::text is null then ai_output_tokens else coalesce(ai_output_tokens, 0) + @outputTokens end,
                ai_cost = case when @model::text is null then ai_cost else coalesce(ai_cost, 0) + @cost end,
                ai_again = false, ai_at = @now, updated_at = @now
            where id = @id and written_by = 'template' and (ai_at is null or ai_again)
            returning id
        )
        insert into message_events (message_id, at, event, detail)
        select id, @now, 'ai_kept_template', @detail from kept
        returning message_id
        """;

    /// <summary>
    /// Records why the template stays (<see cref="KeptReasons"/>), and the model's call when there was one (its cost
    /// counts toward the spend cap whether or not its text was used). The body is not touched.
    /// </summary>
    internal async Task KeepAsync(long id, string reason, string? why, CopyDraft? draft, decimal? cost, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(KeepSql, new
        {
            id, reason, model = draft?.Model, inputTokens = (int?)draft?.InputTokens, outputTokens = (int?)draft?.OutputTokens, cost,
            now = clock.GetCurrentInstant(), detail = why is null ? reason : $"{reason}: {why}",
        }, cancellationToken: cancellationToken));
    }

    private const string AgainSql = """
        with again as (
            update messages set body = coalesce(template_body, body), written_by = 'template', ai_again = true,
                ai_kept_reason = null, updated_at = @now
            where id = @id and call_id is not null and (written_by = 'ai' or ai_at is not null) and status = 'scheduled' and scheduled_for > @now
            returning id, client_id, call_id
        ), request as (
            insert into copy_requests (client_id, call_id, created_at) select client_id, call_id, @now from again
        )
        insert into message_events (message_id, at, event, detail)
        select id, @now, 'ai_asked_again', @detail from again
        returning message_id
        """;

    /// <summary>
    /// An operator asks the model for a new text: the template goes back on the message now (so it is what goes out
    /// if the model is late or refused), and a new request for its call commits with that, for the outbox to give
    /// a personalise job, which asks about this message again. Only for a message the model was asked about, still
    /// scheduled and not yet due; false otherwise. The earlier calls' cost stays counted (it adds up on the message).
    /// </summary>
    public async Task<bool> AskAgainAsync(long id, string actor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var changed = await connection.QueryAsync<long>(new CommandDefinition(AgainSql, new
        {
            id, now = clock.GetCurrentInstant(), detail = $"a new text asked for by {actor}",
        }, cancellationToken: cancellationToken));
        return changed.Any();
    }

    private const string RevertSql = """
        with reverted as (
            update messages set body = template_body, written_by = 'template', ai_kept_reason = @reason, updated_at = @now
            where id = @id and written_by = 'ai' and template_body is not null and status = any(@pending)
            returning id
        )
        insert into message_events (message_id, at, event, detail)
        select id, @now, 'ai_reverted', @reason from reverted
        returning message_id
        """;

    /// <summary>
    /// Puts the template back on a message the model wrote, before it goes out (scheduled, or dead-lettered and
    /// waiting): false when it was not written by the model or has gone out.
    /// </summary>
    public async Task<bool> RevertAsync(long id, string actor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var changed = await connection.QueryAsync<long>(new CommandDefinition(RevertSql, new
        {
            id, reason = $"{KeptReasons.Reverted} by {actor}", pending = Messages.MessageStatus.Pending.ToArray(), now = clock.GetCurrentInstant(),
        }, cancellationToken: cancellationToken));
        return changed.Any();
    }
}
