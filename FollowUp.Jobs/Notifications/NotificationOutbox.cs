using System.Text.Json;
using Dapper;
using Npgsql;
using NodaTime;

namespace FollowUp.Jobs.Notifications;

/// <summary>
/// Writes business notifications inside the transaction of the change they report, so an event exists
/// exactly when its change committed. Only for a client with a webhook that takes the type; otherwise
/// nothing is written. <see cref="NotificationDispatcher"/> gives each its delivery job after the commit.
/// </summary>
internal static class NotificationOutbox
{
    private const string AddSql = """
        insert into notifications (client_id, type, data, created_at, status)
        select id, @type, @data::jsonb, @now, @pending from clients
        where id = @clientId and notify_url is not null and (notify_events is null or @type = any(notify_events))
        returning id
        """;

    // The message as the receiver needs it; the body is left out (it may be long, and the receiver
    // asked about delivery, not content).
    private const string AddForMessageSql = """
        insert into notifications (client_id, type, data, created_at, status)
        select m.client_id, @type,
               jsonb_build_object('message_id', m.id, 'kind', m.kind, 'channel', m.channel, 'recipient', m.recipient,
                                  'call_id', m.call_id, 'appointment_id', m.appointment_id, 'status', m.status,
                                  'error', m.error, 'provider', m.provider) || coalesce(@extra::jsonb, '{}'),
               @now, @pending
        from messages m join clients c on c.id = m.client_id
        where m.id = @messageId and c.notify_url is not null and (c.notify_events is null or @type = any(c.notify_events))
        returning id
        """;

    /// <summary>Adds an event with <paramref name="data"/> (serialized in snake_case) for <paramref name="clientId"/>.</summary>
    public static Task<long?> AddAsync(NpgsqlTransaction transaction, string clientId, string type, object data, Instant now,
        CancellationToken cancellationToken) =>
        transaction.Connection!.ExecuteScalarAsync<long?>(new CommandDefinition(AddSql,
            new { clientId, type, data = JsonSerializer.Serialize(data, Storage.FollowUpJson.Options), now, pending = NotificationStatus.Pending }, transaction, cancellationToken: cancellationToken));

    /// <summary>Adds a message event (<c>message.*</c>) describing message <paramref name="messageId"/> as it is now in the transaction.</summary>
    public static Task<long?> AddForMessageAsync(NpgsqlTransaction transaction, long messageId, string type, object? extra, Instant now,
        CancellationToken cancellationToken) =>
        transaction.Connection!.ExecuteScalarAsync<long?>(new CommandDefinition(AddForMessageSql,
            new { messageId, type, extra = extra is null ? null : JsonSerializer.Serialize(extra, Storage.FollowUpJson.Options), now, pending = NotificationStatus.Pending }, transaction,
            cancellationToken: cancellationToken));
}
