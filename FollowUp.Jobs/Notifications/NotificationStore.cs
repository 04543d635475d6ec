using Dapper;
using Npgsql;

namespace FollowUp.Jobs.Notifications;

/// <summary>The one writer of <c>notifications.status</c>: a guarded change from a named set of <see cref="NotificationStatus"/>.</summary>
internal sealed class NotificationStore(NpgsqlDataSource dataSource, Telemetry.FollowUpMetrics? metrics = null)
{
    private const string TransitionSql = """
        update notifications set status = @to
        where id = @id and status = any(@from) and (@expectedJobId::bigint is null or job_id = @expectedJobId::bigint)
        returning type
        """;

    /// <summary>
    /// Moves notification <paramref name="id"/> to <paramref name="to"/> when it is in one of <paramref name="from"/>
    /// (and, given <paramref name="expectedJobId"/>, owned by that job), inside <paramref name="transaction"/> when the
    /// caller has one. Returns whether it moved.
    /// </summary>
    public async Task<bool> TransitionAsync(long id, string to, IReadOnlyList<string> from, long? expectedJobId, NpgsqlTransaction? transaction,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(from);
        var args = new { id, to, from = from.ToArray(), expectedJobId };
        string? type;
        if (transaction is not null)
        {
            type = await transaction.Connection!.ExecuteScalarAsync<string?>(new CommandDefinition(TransitionSql, args, transaction, cancellationToken: cancellationToken));
        }
        else
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            type = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(TransitionSql, args, cancellationToken: cancellationToken));
        }

        if (type is null)
        {
            return false;
        }

        metrics?.NotificationStatus(to, type);
        return true;
    }
}
