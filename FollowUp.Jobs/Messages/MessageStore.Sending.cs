using Dapper;
using FollowUp.Jobs.Channels;
using NodaTime;

namespace FollowUp.Jobs.Messages;

/// <summary>What the send job needs about a message, its client and its recipient, in one read.</summary>
internal sealed class MessageToSend
{
    public long Id { get; set; }

    public string ClientId { get; set; } = "";

    public string Kind { get; set; } = "";

    public Channel Channel { get; set; } = Channel.Sms;

    public bool Marketing { get; set; }

    public string Recipient { get; set; } = "";

    /// <summary>The customer's number for a planned message (an email's recipient zones come from it).</summary>
    public string? CustomerPhone { get; set; }

    public string? Subject { get; set; }

    public string Body { get; set; } = "";

    public string Status { get; set; } = "";

    public bool Suppressed { get; set; }

    public string? SmsFrom { get; set; }

    public string? EmailFrom { get; set; }

    public int DailyLimitPerRecipient { get; set; }

    public long? JobId { get; set; }

    /// <summary>The client's own SMS provider order, or null for the global one.</summary>
    public string[]? SmsProviders { get; set; }

    /// <summary>When it is due (moved by a deferral): send lateness is measured from here.</summary>
    public Instant ScheduledFor { get; set; }

    /// <summary>The client's own SMS route and its secret as stored (encrypted), or null.</summary>
    public string? SmsRouteUrl { get; set; }

    public string? SmsRouteSecret { get; set; }

    /// <summary>When its first attempt began (its first <c>sending</c> event), or null before any.</summary>
    public Instant? FirstAttemptAt { get; set; }

    /// <summary>An earlier attempt may have reached a provider (a <c>possibly_sent</c> event): look before sending again.</summary>
    public bool PossiblySent { get; set; }

    /// <summary>When the latest <c>possibly_sent</c> event was recorded, or null without one.</summary>
    public Instant? PossiblySentAt { get; set; }

    /// <summary>The provider the latest <c>possibly_sent</c> event names, or null when it is not known (an attempt that died mid-send).</summary>
    public string? PossiblySentProvider { get; set; }

    /// <summary>What its channel needs to send it.</summary>
    public OutgoingMessage ToOutgoing() =>
        new(Id, ClientId, Kind, Marketing, Recipient, CustomerPhone, Subject, Body, SmsFrom, EmailFrom, SmsProviders, SmsRouteUrl, SmsRouteSecret);
}

internal sealed partial class MessageStore
{
    private const string LoadSql = """
        select m.id, m.client_id, m.kind, m.channel, m.marketing, m.recipient, m.customer_phone, m.subject, m.body, m.status,
               exists (select 1 from suppressions s where s.client_id = m.client_id and s.channel = m.channel
                       and s.address = lower(m.recipient) and s.lifted_at is null) as suppressed,
               c.sms_from, c.email_from, c.daily_limit_per_recipient, m.job_id, m.scheduled_for, c.sms_providers,
               c.sms_route_url, c.sms_route_secret,
               h.first_attempt_at, coalesce(h.possibly_sent, false) as possibly_sent,
               p.at as possibly_sent_at, p.provider as possibly_sent_provider
        from messages m join clients c on c.id = m.client_id
        -- One pass over the message's own events (a handful, by its index) for both facts about earlier attempts.
        cross join lateral (
            select min(e.at) filter (where e.event = 'sending') as first_attempt_at,
                   bool_or(e.event = 'possibly_sent') as possibly_sent
            from message_events e where e.message_id = m.id
        ) h
        -- The latest possibly_sent: when, and at which provider (a receipt wait counts from it).
        left join lateral (
            select e.at, e.provider from message_events e
            where e.message_id = m.id and e.event = 'possibly_sent' order by e.id desc limit 1
        ) p on true
        where m.id = @id
        """;

    public async Task<MessageToSend?> LoadForSendAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<MessageToSend>(new CommandDefinition(LoadSql, new { id }, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// A send job adopts a message that has no job yet (it was created by the dispatcher, whose write of
    /// the job id has not committed; this waits for that row lock). False when another job owns it.
    /// </summary>
    public async Task<bool> AdoptAsync(long id, long jobId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var adopted = await connection.ExecuteAsync(new CommandDefinition(
            "update messages set job_id = @jobId where id = @id and job_id is null",
            new { id, jobId }, cancellationToken: cancellationToken));
        if (adopted == 1)
        {
            return true;
        }

        // A statement of its own: it sees what a dispatcher committed while the update above waited.
        var owner = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "select job_id from messages where id = @id", new { id }, cancellationToken: cancellationToken));
        return owner == jobId;
    }

    /// <summary>Marketing messages already attempted to this recipient for this client in [from, to), not counting <paramref name="exceptId"/>.</summary>
    public async Task<long> CountMarketingAsync(string clientId, string recipient, Instant from, Instant to, long exceptId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition("""
            select count(*) from messages
            where client_id = @clientId and recipient = @recipient and marketing and id <> @exceptId
              and attempted_at >= @from and attempted_at < @to
              and status = any(@attempted)
            """, new { clientId, recipient, from, to, exceptId, attempted = MessageStatus.Attempted.ToArray() }, cancellationToken: cancellationToken));
    }
}
