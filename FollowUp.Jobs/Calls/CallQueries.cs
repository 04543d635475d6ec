using Dapper;
using FollowUp.Jobs.Messages;
using Npgsql;

namespace FollowUp.Jobs.Calls;

/// <summary>Reads calls and their messages.</summary>
public sealed class CallQueries(NpgsqlDataSource dataSource, IMessageClient messages)
{
    /// <summary>
    /// The calls with <paramref name="callId"/>, of one client when <paramref name="clientId"/> is given.
    /// Call ids are the platform's and unique per client; two clients may share one, hence a list.
    /// </summary>
    public async Task<IReadOnlyList<CallView>> FindAsync(string callId, string? clientId, CancellationToken cancellationToken)
    {
        List<CallView> calls;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            calls = (await connection.QueryAsync<CallView>(new CommandDefinition("""
                select client_id, call_id, outcome, occurred_at, customer_name, customer_phone, customer_email,
                       appointment_id, appointment_starts_at, appointment_service, summary, intent, notes, webhook_id,
                       (select r.status from appointment_replies r where r.client_id = calls.client_id and r.appointment_id = calls.appointment_id)
                           as customer_response,
                       (select r.at from appointment_replies r where r.client_id = calls.client_id and r.appointment_id = calls.appointment_id)
                           as customer_response_at
                from calls where call_id = @callId and (@clientId::text is null or client_id = @clientId)
                order by client_id limit 10
                """, new { callId, clientId }, cancellationToken: cancellationToken))).AsList();
        }

        for (var i = 0; i < calls.Count; i++)
        {
            calls[i] = calls[i] with { Messages = await messages.ForCallAsync(calls[i].ClientId, callId, cancellationToken) };
        }

        return calls;
    }
}
