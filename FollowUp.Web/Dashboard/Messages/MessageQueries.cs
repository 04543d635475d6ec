using Dapper;
using FollowUp.Jobs.Messages;
using Npgsql;
using NodaTime;

namespace FollowUp.Web.Dashboard.Messages;

/// <summary>Messages by status (newest first, keyset by id), one message's events, the next hours' schedule.</summary>
internal sealed class MessageQueries(NpgsqlDataSource dataSource)
{
    public const int PageSize = 50;

    public static readonly IReadOnlyList<string> Statuses = FollowUp.Jobs.Messages.MessageStatus.All;

    private const string Columns = """
        m.id, m.client_id, c.name as client_name, m.call_id, m.kind, m.channel, m.recipient, m.subject, m.body, m.scheduled_for,
        m.status, m.skip_reason, m.provider, m.provider_message_id, m.segments, m.cost, m.currency, m.error, m.job_id, m.sent_at,
        m.written_by
        """;

    // Served by messages_status_id (status, id desc).
    private const string PageSql = $"""
        select {Columns} from messages m join clients c on c.id = m.client_id
        where m.status = @status and (@before::bigint is null or m.id < @before)
        order by m.id desc limit @limit
        """;

    public async Task<IReadOnlyList<MessageRow>> PageAsync(string status, long? before, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<MessageRow>(new CommandDefinition(
            PageSql, new { status, before, limit = PageSize }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    // The API's search (the same predicates and indexes), with each row's client name.
    private const string SearchSelectSql = """
        select s.id, s.client_id, c.name as client_name, s.call_id, s.kind, s.channel, s.recipient, s.subject, s.body,
               s.scheduled_for, s.status, s.skip_reason, s.provider, s.provider_message_id, s.segments, s.cost, s.currency,
               s.error, s.job_id, s.sent_at, s.written_by
        from (
        """;

    private const string SearchJoinSql = ") s join clients c on c.id = s.client_id order by s.id desc";

    /// <summary>Messages matching <paramref name="filter"/> (as <c>GET /api/messages</c>), newest first, a page.</summary>
    public async Task<IReadOnlyList<MessageRow>> SearchAsync(MessageFilter filter, CancellationToken cancellationToken)
    {
        var (inner, args) = MessageSearch.Build(filter, PageSize);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<MessageRow>(new CommandDefinition(
            SearchSelectSql + inner + SearchJoinSql, args, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    private const string OneSql = $"select {Columns} from messages m join clients c on c.id = m.client_id where m.id = @id";

    public async Task<MessageRow?> FindAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<MessageRow>(new CommandDefinition(OneSql, new { id }, cancellationToken: cancellationToken));
    }

    private const string CopySql = """
        select m.written_by, m.template_body, m.ai_model, m.ai_input_tokens, m.ai_output_tokens, m.ai_cost, m.ai_kept_reason,
               k.summary as call_summary, k.intent as call_intent, k.notes as call_notes
        from messages m left join calls k on k.client_id = m.client_id and k.call_id = m.call_id
        where m.id = @id
        """;

    /// <summary>Who wrote the message (template or model) and its call's summary, intent and notes; null for no such message.</summary>
    public async Task<MessageCopy?> CopyAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<MessageCopy>(new CommandDefinition(CopySql, new { id }, cancellationToken: cancellationToken));
    }

    private const string EventsSql = "select id, at, event, detail from message_events where message_id = @id order by id";

    public async Task<IReadOnlyList<MessageEvent>> EventsAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<MessageEvent>(new CommandDefinition(EventsSql, new { id }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    // Served by messages_status (status, scheduled_for). Capped: a schedule page of more is not read by anyone.
    private const string ScheduleSql = $"""
        select {Columns} from messages m join clients c on c.id = m.client_id
        where m.status = 'scheduled' and m.scheduled_for >= @from and m.scheduled_for < @to
        order by m.scheduled_for, m.id limit @limit
        """;

    public const int ScheduleLimit = 2_000;

    public async Task<IReadOnlyList<MessageRow>> ScheduledAsync(Instant from, Instant to, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<MessageRow>(new CommandDefinition(
            ScheduleSql, new { from, to, limit = ScheduleLimit }, cancellationToken: cancellationToken));
        return rows.AsList();
    }
}
