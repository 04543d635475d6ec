using Dapper;
using FollowUp.Jobs.Channels;
using Npgsql;
using NodaTime;

namespace FollowUp.Jobs.Messages;

/// <summary>
/// Opted-out recipients per client and channel. A pending message to a suppressed recipient is
/// skipped at send time with the reason "opted out". Email addresses are compared case-insensitively.
/// </summary>
public sealed class Suppressions(NpgsqlDataSource dataSource, IClock clock)
{
    /// <summary>Suppresses <paramref name="address"/> for each client (again, if it had been lifted).</summary>
    public async Task SuppressAsync(IEnumerable<string> clientIds, Channel channel, string address, string reason, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await SuppressAsync(connection, null, clientIds, channel, address, reason, clock.GetCurrentInstant(), cancellationToken);
    }

    /// <summary>Suppresses inside <paramref name="transaction"/> (an inbound STOP, with the rest of what the reply did).</summary>
    internal static Task SuppressAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, IEnumerable<string> clientIds, Channel channel,
        string address, string reason, Instant now, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition("""
            insert into suppressions (client_id, channel, address, reason, created_at)
            select c, @channel, @address, @reason, @now from unnest(@clients) as c
            on conflict (client_id, channel, address) do update
                set reason = excluded.reason, created_at = excluded.created_at, lifted_at = null
            """, new { clients = clientIds.ToArray(), channel, address = Normalize(channel, address), reason, now }, transaction,
            cancellationToken: cancellationToken));

    /// <summary>Lifts a suppression (START, YES, UNSTOP); the row stays with when it was lifted.</summary>
    public async Task LiftAsync(IEnumerable<string> clientIds, Channel channel, string address, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await LiftAsync(connection, null, clientIds, channel, address, clock.GetCurrentInstant(), cancellationToken);
    }

    /// <summary>Lifts inside <paramref name="transaction"/>.</summary>
    internal static Task LiftAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, IEnumerable<string> clientIds, Channel channel,
        string address, Instant now, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition("""
            update suppressions set lifted_at = @now
            where client_id = any(@clients) and channel = @channel and address = @address and lifted_at is null
            """, new { clients = clientIds.ToArray(), channel, address = Normalize(channel, address), now }, transaction,
            cancellationToken: cancellationToken));

    public async Task<bool> IsSuppressedAsync(string clientId, Channel channel, string address, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition("""
            select exists (select 1 from suppressions where client_id = @clientId and channel = @channel
                           and address = @address and lifted_at is null)
            """, new { clientId, channel, address = Normalize(channel, address) }, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// The clients that send SMS from <paramref name="number"/>: those whose <c>sms_from</c> is it, and,
    /// when it is the provider's default sender — or the message came through the provider's default
    /// messaging service (<paramref name="viaDefaultService"/>), whose pool numbers no client names —
    /// those with no sender of their own. A STOP sent to a number stops everything sent from that number.
    /// </summary>
    public async Task<IReadOnlyList<string>> ClientsSendingFromAsync(string number, string? defaultFrom, bool viaDefaultService,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await ClientsSendingFromAsync(connection, null, number, defaultFrom, viaDefaultService, cancellationToken);
    }

    /// <inheritdoc cref="ClientsSendingFromAsync(string, string?, bool, CancellationToken)"/>
    internal static async Task<IReadOnlyList<string>> ClientsSendingFromAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction,
        string number, string? defaultFrom, bool viaDefaultService, CancellationToken cancellationToken)
    {
        var rows = await connection.QueryAsync<string>(new CommandDefinition("""
            select id from clients
            where sms_from = @number or (sms_from is null and (@number = @defaultFrom or @viaDefaultService))
            order by id
            """, new { number, defaultFrom, viaDefaultService }, transaction, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>The clients with a message to <paramref name="address"/> (for an email bounce, which names no client).</summary>
    public async Task<IReadOnlyList<string>> ClientsMessagingAsync(Channel channel, string address, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<string>(new CommandDefinition("""
            select distinct client_id from messages where channel = @channel and lower(recipient) = @address order by client_id
            """, new { channel, address = Normalize(channel, address) }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    private static string Normalize(Channel channel, string address) =>
        channel == Channel.Email ? address.Trim().ToLowerInvariant() : address.Trim();
}
