using Dapper;
using Npgsql;
using NodaTime;

namespace FollowUp.Jobs.Conversations;

/// <summary>Reads conversations (a client + a customer's phone) for the API and the dashboard, and marks replies read.</summary>
public sealed class ConversationQueries(NpgsqlDataSource dataSource, IClock clock)
{
    /// <summary>At most this many entries of a thread, the latest.</summary>
    public const int ThreadLimit = 500;

    /// <summary>The unsearched list looks at the threads of this many latest replies.</summary>
    public const int RecentReplies = 2000;

    // The outbound side is found through two indexes (SMS by recipient; any channel by the customer's phone).
    // One round trip: whether the client exists, the entries, the customer's name, opt-out, unread.
    private const string ThreadSql = """
        select exists (select 1 from clients where id = @clientId);

        with outbound as (
            select id from messages where recipient = @phone and channel = 'sms' and client_id = @clientId
            union
            select id from messages where client_id = @clientId and customer_phone = @phone
        )
        select * from (
            select 'outbound' as direction, m.id, coalesce(m.sent_at, m.attempted_at, m.scheduled_for) as at, m.kind, m.channel,
                   m.subject, m.body, m.status, m.call_id, m.appointment_id, null::text as action, null::bigint as answers_message_id,
                   m.written_by
            from messages m join outbound o on o.id = m.id
            union all
            select 'inbound', i.id, i.received_at, null, 'sms', null, i.body, case when i.read_at is null then 'unread' else 'read' end,
                   null, null, i.action, i.message_id, null
            from inbound_sms i where i.client_id = @clientId and i.from_number = @phone
        ) t
        order by at desc, direction, id desc limit @limit;

        select customer_name from calls where client_id = @clientId and customer_phone = @phone and customer_name is not null
        order by occurred_at desc limit 1;

        select exists (select 1 from suppressions where client_id = @clientId and channel = 'sms' and address = @phone and lifted_at is null);

        select count(*)::int from inbound_sms where client_id = @clientId and from_number = @phone and read_at is null;
        """;

    /// <summary>The conversation, oldest entry first; null when the client does not exist.</summary>
    public async Task<Conversation?> ThreadAsync(string clientId, string phone, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var results = await connection.QueryMultipleAsync(new CommandDefinition(ThreadSql,
            new { clientId, phone, limit = ThreadLimit + 1 }, cancellationToken: cancellationToken));
        if (!await results.ReadSingleAsync<bool>())
        {
            return null;
        }

        var items = (await results.ReadAsync<ConversationItem>()).AsList();
        var name = await results.ReadSingleOrDefaultAsync<string?>();
        var optedOut = await results.ReadSingleAsync<bool>();
        var unread = await results.ReadSingleAsync<int>();
        var truncated = items.Count > ThreadLimit;
        items = items.Take(ThreadLimit).Reverse().ToList();

        var appointmentIds = items.Where(i => i.AppointmentId is not null).Select(i => i.AppointmentId!).Distinct().ToArray();
        var answers = appointmentIds.Length == 0
            ? []
            : (await connection.QueryAsync<AppointmentAnswer>(new CommandDefinition("""
                select appointment_id, status, at from appointment_replies where client_id = @clientId and appointment_id = any(@appointmentIds)
                order by at
                """, new { clientId, appointmentIds }, cancellationToken: cancellationToken))).AsList();
        return new Conversation
        {
            ClientId = clientId, Phone = phone, CustomerName = name, OptedOut = optedOut, Unread = unread, Truncated = truncated,
            Appointments = answers, Items = items,
        };
    }

    private const string ListSql = """
        with threads as (
            select client_id, phone from (
                select client_id, from_number as phone, max(id) as last
                from (select client_id, from_number, id from inbound_sms
                      where client_id is not null and (@clientId::text is null or client_id = @clientId)
                      order by id desc limit @recent) r
                group by 1, 2
            ) t where @search::text is null
            union
            select client_id, customer_phone from calls
            where @search::text is not null and (@clientId::text is null or client_id = @clientId)
              and (customer_name ilike @like or (@digits <> '' and customer_phone like @digitsLike))
            union
            select client_id, from_number from inbound_sms
            where @search::text is not null and @digits <> '' and client_id is not null
              and (@clientId::text is null or client_id = @clientId) and from_number like @digitsLike
        )
        select t.client_id, t.phone, last.body as last_reply, last.received_at as last_reply_at,
               (select count(*)::int from inbound_sms u where u.client_id = t.client_id and u.from_number = t.phone and u.read_at is null) as unread,
               (select c.customer_name from calls c where c.client_id = t.client_id and c.customer_phone = t.phone and c.customer_name is not null
                order by c.occurred_at desc limit 1) as customer_name
        from threads t
        left join lateral (select i.body, i.received_at from inbound_sms i where i.client_id = t.client_id and i.from_number = t.phone
                           order by i.id desc limit 1) last on true
        order by last.received_at desc nulls last, t.client_id, t.phone
        limit @limit
        """;

    /// <summary>
    /// Conversations with the latest replies first: without <paramref name="search"/>, the threads of the
    /// <see cref="RecentReplies"/> latest replies; with it, every customer whose name contains it, or
    /// whose phone contains its digits (replied or not).
    /// </summary>
    public async Task<IReadOnlyList<ConversationSummary>> ListAsync(string? clientId, string? search, int limit, CancellationToken cancellationToken)
    {
        search = string.IsNullOrWhiteSpace(search) ? null : search.Trim();
        var digits = search is null ? "" : new string(search.Where(char.IsAsciiDigit).ToArray());
        var like = search is null ? null : "%" + search.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal)
            .Replace("_", "\\_", StringComparison.Ordinal) + "%";
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<ConversationSummary>(new CommandDefinition(ListSql, new
        {
            clientId, search, like, digits, digitsLike = "%" + digits + "%", limit, recent = RecentReplies,
        }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>Marks the conversation's replies read by <paramref name="actor"/>; returns how many were unread.</summary>
    public async Task<int> MarkReadAsync(string clientId, string phone, string actor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition("""
            update inbound_sms set read_at = @now, read_by = @actor
            where client_id = @clientId and from_number = @phone and read_at is null
            """, new { clientId, phone, actor, now = clock.GetCurrentInstant() }, cancellationToken: cancellationToken));
    }
}
