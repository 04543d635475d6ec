using Dapper;
using Npgsql;
using NodaTime;

namespace FollowUp.Jobs.Messages;

/// <summary>
/// Applies providers' delivery callbacks to messages, by provider and provider message id. Statuses
/// only move forward — <c>sending</c> &lt; <c>sent</c> &lt; <c>delivered</c> | <c>undelivered</c> |
/// <c>failed</c> — so a late or repeated <c>sent</c> never overwrites <c>delivered</c>. A callback for
/// an id no message has yet (it can arrive before the send job stores the id) is parked and applied
/// when the id is stored (<see cref="ApplyParkedAsync"/>).
/// </summary>
public sealed class DeliveryUpdates(NpgsqlDataSource dataSource, IClock clock, Telemetry.FollowUpMetrics? metrics = null)
{
    // The store is stateless over the same data source and clock; made here because its type is internal.
    private readonly MessageStore _store = new(dataSource, clock, metrics);

    private const string FindSql = "select id from messages where provider = @provider and provider_message_id = @providerMessageId";

    private const string ReportedSql = """
        update messages set
            segments = coalesce(@segments, segments),
            cost = coalesce(@price, cost),
            currency = case when @price is null then currency else coalesce(@currency, currency) end,
            updated_at = @now
        where provider = @provider and provider_message_id = @providerMessageId
        returning id
        """;

    /// <summary>Whether message <paramref name="messageId"/> is one of client <paramref name="clientId"/>'s (a client's own report may name only its own).</summary>
    public async Task<bool> IsClientsMessageAsync(string clientId, long messageId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "select exists (select 1 from messages where id = @messageId and client_id = @clientId)", new { clientId, messageId },
            cancellationToken: cancellationToken));
    }

    /// <summary>Records a provider event that changes no status (deferred, spam report); returns the message id or null.</summary>
    public async Task<long?> RecordEventAsync(string provider, string providerMessageId, string eventName, string? detail, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var id = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(FindSql, new { provider, providerMessageId },
            cancellationToken: cancellationToken));
        if (id is { } messageId)
        {
            await _store.AddEventAsync(messageId, $"{provider}:{eventName}", detail, cancellationToken);
        }

        return id;
    }

    /// <summary>
    /// Our status for a provider's status word (Twilio's <c>sent</c>, <c>delivered</c>, <c>read</c>,
    /// <c>undelivered</c>, <c>failed</c>), or null for the words that record nothing on a message
    /// (queued, accepted, sending, scheduled, canceled).
    /// </summary>
    public static string? FromProviderStatus(string? word) => word switch
    {
        "sent" => MessageStatus.Sent,
        "delivered" or "read" => MessageStatus.Delivered,
        "undelivered" => MessageStatus.Undelivered,
        "failed" => MessageStatus.Failed,
        _ => null,
    };

    /// <summary>The rank of a status word, or null when it is not a delivery status.</summary>
    public static int? Rank(string status) => status switch
    {
        MessageStatus.Sent => 1,
        MessageStatus.Delivered or MessageStatus.Undelivered or MessageStatus.Failed => 2,
        _ => null,
    };

    /// <summary>
    /// Moves the message to <paramref name="status"/> when that is forward, else only records what the
    /// provider reported (segments, price). Returns the message id, or null when no message has that
    /// provider id.
    /// </summary>
    public Task<long?> ApplyAsync(string provider, string providerMessageId, string status, string? error,
        int? segments, decimal? price, string? currency, CancellationToken cancellationToken) =>
        ApplyAsync(provider, providerMessageId, status, error, segments, price, currency, null, cancellationToken);

    /// <summary>
    /// As <see cref="ApplyAsync(string, string, string, string?, int?, decimal?, string?, CancellationToken)"/>, for a
    /// callback that names our message (<paramref name="namedMessageId"/>, from a verified callback URL or report):
    /// when no message has the provider's id, the named one is found by its own id if this provider sent it;
    /// and when it is still <c>scheduled</c> or <c>sending</c> (its attempt's node died before storing the
    /// answer), the callback proves the provider has it — the message becomes <c>sent</c> with that id, and
    /// its next attempt finds it sent instead of sending again.
    /// </summary>
    public async Task<long?> ApplyAsync(string provider, string providerMessageId, string status, string? error,
        int? segments, decimal? price, string? currency, long? namedMessageId, CancellationToken cancellationToken)
    {
        var rank = Rank(status) ?? throw new ArgumentException($"'{status}' is not a delivery status.", nameof(status));
        var args = new { provider, providerMessageId, status, error, segments, price, currency, now = clock.GetCurrentInstant() };
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var tx = await connection.BeginTransactionAsync(cancellationToken))
        {
            var found = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(FindSql, args, tx, cancellationToken: cancellationToken));
            if (found is null && namedMessageId is { } named)
            {
                // The callback names our message: it is that message's (sent by this provider) whatever id came with it.
                found = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
                    "select id from messages where id = @named and provider = @provider", new { named, provider }, tx, cancellationToken: cancellationToken));
                if (found is null && providerMessageId.Length > 0
                    && await _store.AdoptSentAsync(named, new SentReceipt(provider, providerMessageId, null, segments, price, price is null ? null : currency),
                        $"{provider}: {providerMessageId} (its {status} callback named the message before its attempt stored the answer)",
                        tx, cancellationToken))
                {
                    found = named;
                }
            }

            if (found is { } messageId)
            {
                // Forward only: a sent callback moves only a sending message, a final one a sending or sent one.
                var moved = await _store.TransitionAsync(messageId, new StatusChange(status,
                    rank == 1 ? MessageStatus.BeforeSent : MessageStatus.BeforeFinal, $"{provider}:{status}", error)
                {
                    Error = error, Delivered = status == MessageStatus.Delivered, Segments = segments,
                    Price = price is { } amount ? (amount, currency) : null,
                }, tx, cancellationToken);
                if (!moved)
                {
                    // Not forward: only what the provider reported (segments, price), and the event.
                    await connection.ExecuteAsync(new CommandDefinition(ReportedSql, args, tx, cancellationToken: cancellationToken));
                    await _store.AddEventAsync(messageId, $"{provider}:{status}", error, tx, cancellationToken);
                }

                // The business hears of a final outcome once: when the status moved to it (a repeat moves nothing).
                if (moved && NotificationFor(status) is { } type)
                {
                    await Notifications.NotificationOutbox.AddForMessageAsync(tx, messageId, type, null, args.now, cancellationToken);
                }

                await tx.CommitAsync(cancellationToken);
                return messageId;
            }

            await tx.CommitAsync(cancellationToken);
        }

        await connection.ExecuteAsync(new CommandDefinition(ParkSql, args, cancellationToken: cancellationToken));
        // The send may have stored the id between the update above and the park: apply it now, then.
        await ApplyParkedAsync(provider, providerMessageId, cancellationToken);
        return null;
    }

    private static string? NotificationFor(string status) => status switch
    {
        MessageStatus.Delivered => Notifications.NotificationTypes.MessageDelivered,
        MessageStatus.Undelivered or MessageStatus.Failed => Notifications.NotificationTypes.MessageFailed,
        _ => null,
    };

    private const string ParkSql = """
        delete from parked_deliveries where received_at < @now - interval '1 day';
        insert into parked_deliveries (provider, provider_message_id, status, error, segments, price, currency, received_at)
        values (@provider, @providerMessageId, @status, @error, @segments, @price, @currency, @now);
        """;

    /// <summary>
    /// Applies the callbacks parked for <paramref name="providerMessageId"/>, in arrival order, once a
    /// message has that id; each parked callback is applied once (taken with a delete).
    /// </summary>
    public async Task ApplyParkedAsync(string provider, string providerMessageId, CancellationToken cancellationToken)
    {
        IReadOnlyList<ParkedDelivery> parked;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            parked = (await connection.QueryAsync<ParkedDelivery>(new CommandDefinition("""
                with taken as (
                    delete from parked_deliveries p
                    where p.provider = @provider and p.provider_message_id = @providerMessageId
                      and exists (select 1 from messages m where m.provider = @provider and m.provider_message_id = @providerMessageId)
                    returning p.id, p.status, p.error, p.segments, p.price, p.currency
                )
                select status, error, segments, price, currency from taken order by id
                """, new { provider, providerMessageId }, cancellationToken: cancellationToken))).AsList();
        }

        foreach (var p in parked)
        {
            await ApplyAsync(provider, providerMessageId, p.Status, p.Error, p.Segments, p.Price, p.Currency, cancellationToken);
        }
    }

    private sealed record ParkedDelivery(string Status, string? Error, int? Segments, decimal? Price, string? Currency);
}
