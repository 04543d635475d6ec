using Dapper;
using Npgsql;
using NodaTime;

namespace FollowUp.Jobs.Messages;

/// <summary>Records every inbound SMS with the keyword it carried and the clients it applied to.</summary>
public sealed class InboundSmsLog(NpgsqlDataSource dataSource, IClock clock)
{
    public async Task RecordAsync(string provider, string? providerId, string from, string to, string body, InboundKeyword keyword,
        IReadOnlyList<string> clientIds, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            insert into inbound_sms (provider, provider_id, from_number, to_number, body, keyword, client_ids, received_at)
            values (@provider, @providerId, @from, @to, @body, @keyword, @clients, @now)
            """, new
        {
            provider, providerId, from, to, body, keyword = keyword.ToString().ToLowerInvariant(),
            clients = clientIds.ToArray(), now = clock.GetCurrentInstant(),
        }, cancellationToken: cancellationToken));
    }
}
