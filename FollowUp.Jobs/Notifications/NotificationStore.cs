using Dapper;
using Npgsql;

namespace FollowUp.Jobs.Notifications;

/// <summary>The one writer of <c>notifications.status</c>: a guarded change from a named set of <see cref="NotificationStatus"/>.</summary>
internal sealed class NotificationStore(NpgsqlDataSource dataSource)
{
    private const string TransitionSql = """
        update notifications set status = @to
        where id = @id and status = any(@from) and (@expectedJobId::bigint is null or job_id = @expectedJobId::bigint)
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
        if (transaction is not null)
        {
            return await transaction.Connection!.ExecuteAsync(new CommandDefinition(TransitionSql, args, transaction, cancellationToken: cancellationToken)) == 1;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(TransitionSql, args, cancellationToken: cancellationToken)) == 1;
    }
}
