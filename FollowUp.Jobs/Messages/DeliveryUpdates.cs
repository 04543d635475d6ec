using Dapper;
using Npgsql;
using NodaTime;

namespace FollowUp.Jobs.Messages;

/// <summary>
/// Applies providers' delivery callbacks to messages, by provider and provider message id. Statuses
/// only move forward — <c>sending</c> &lt; <c>sent</c> &lt; <c>delivered</c> | <c>undelivered</c> |
/// <c>failed</c> — so a late or repeated <c>sent</c> never overwrites <c>delivered</c>.
/// </summary>
public sealed class DeliveryUpdates(NpgsqlDataSource dataSource, IClock clock)
{
    private const string ApplySql = """
        update messages set
            status = @status,
            delivered_at = case when @status = 'delivered' then @now else delivered_at end,
            error = coalesce(@error, error),
            segments = coalesce(@segments, segments),
            cost = coalesce(@price, cost),
            currency = case when @price is null then currency else coalesce(@currency, currency) end,
            updated_at = @now
        where provider = @provider and provider_message_id = @providerMessageId
          and (case status when 'sending' then 0 when 'sent' then 1
                           when 'delivered' then 2 when 'undelivered' then 2 when 'failed' then 2 else 3 end) < @rank
        returning id
        """;

    private const string ReportedSql = """
        update messages set
            segments = coalesce(@segments, segments),
            cost = coalesce(@price, cost),
            currency = case when @price is null then currency else coalesce(@currency, currency) end,
            updated_at = @now
        where provider = @provider and provider_message_id = @providerMessageId
        returning id
        """;

    /// <summary>Records a provider event that changes no status (deferred, spam report); returns the message id or null.</summary>
    public async Task<long?> RecordEventAsync(string provider, string providerMessageId, string eventName, string? detail, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long?>(new CommandDefinition("""
            insert into message_events (message_id, at, event, detail)
            select id, @now, @eventName, @detail from messages where provider = @provider and provider_message_id = @providerMessageId
            returning message_id
            """, new { provider, providerMessageId, eventName = $"{provider}:{eventName}", detail, now = clock.GetCurrentInstant() },
            cancellationToken: cancellationToken));
    }

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
    public async Task<long?> ApplyAsync(string provider, string providerMessageId, string status, string? error,
        int? segments, decimal? price, string? currency, CancellationToken cancellationToken)
    {
        var rank = Rank(status) ?? throw new ArgumentException($"'{status}' is not a delivery status.", nameof(status));
        var args = new { provider, providerMessageId, status, rank, error, segments, price, currency, now = clock.GetCurrentInstant() };
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var id = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(ApplySql, args, cancellationToken: cancellationToken))
            ?? await connection.ExecuteScalarAsync<long?>(new CommandDefinition(ReportedSql, args, cancellationToken: cancellationToken));
        if (id is { } messageId)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "insert into message_events (message_id, at, event, detail) values (@messageId, @now, @eventName, @error)",
                new { messageId, now = args.now, eventName = $"{provider}:{status}", error }, cancellationToken: cancellationToken));
        }

        return id;
    }
}
