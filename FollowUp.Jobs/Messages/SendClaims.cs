using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace FollowUp.Jobs.Messages;

/// <summary>
/// A send attempt's claim on its message, so that one message has one attempt at a time whatever door
/// started a second one (the stock dashboard's Requeue of a Processing job, the reconciler's re-enqueue of
/// a job it found stuck, a second queue row left by a crash). The claim is a PostgreSQL session advisory
/// lock on the message id, held on a connection of the attempt's own for the whole attempt: its owner is
/// that database session and its lease is the session's life. A finished attempt releases it; a process
/// that dies (kill -9, a lost machine) loses its connection and with it the claim at once, so a dead
/// node's messages are never held for longer than its jobs stay invisible.
/// </summary>
/// <remarks>
/// A second attempt that finds the claim held waits for it (polling, never blocking a database lock
/// queue) up to <see cref="WaitLimit"/>, then reads the message afresh: normally the first attempt has sent
/// it by then and the second sends nothing. The lock key is the message id with <see cref="KeyPrefix"/> in
/// its top byte: the single-bigint key space, apart from the migrations' key and the two-int keys other
/// features use.
/// </remarks>
internal sealed class SendClaims(NpgsqlDataSource dataSource, ILogger<SendClaims> logger)
{
    /// <summary>"S" (send) in the key's top byte; message ids stay below 2^56.</summary>
    public const long KeyPrefix = 0x53L << 56;

    /// <summary>How long a second attempt waits for the first before it is deferred (longer than any one provider call).</summary>
    public static readonly TimeSpan WaitLimit = TimeSpan.FromMinutes(2);

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// The claim on message <paramref name="messageId"/>, waiting while another attempt holds it; null when
    /// it is still held after <see cref="WaitLimit"/>. Dispose it to release it.
    /// </summary>
    public async Task<SendClaim?> ClaimAsync(long messageId, CancellationToken cancellationToken)
    {
        var key = KeyPrefix | messageId;
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            var waited = TimeSpan.Zero;
            while (!await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "select pg_try_advisory_lock(@key)", new { key }, cancellationToken: cancellationToken)))
            {
                if (waited == TimeSpan.Zero)
                {
                    logger.LogInformation("Message {MessageId} has an attempt in progress elsewhere; waiting for it", messageId);
                }

                if (waited >= WaitLimit)
                {
                    await connection.DisposeAsync();
                    return null;
                }

                await Task.Delay(Poll, cancellationToken);
                waited += Poll;
            }

            return new SendClaim(connection, key, waited > TimeSpan.Zero);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}

/// <summary>A held claim (see <see cref="SendClaims"/>); disposing releases it and returns its connection.</summary>
internal sealed class SendClaim(NpgsqlConnection connection, long key, bool waited) : IAsyncDisposable
{
    /// <summary>Whether another attempt held the message first (this one waited for it).</summary>
    public bool Waited { get; } = waited;

    public async ValueTask DisposeAsync()
    {
        try
        {
            // Pooled connections are not reset on close (see the data source): the lock is released here.
            await connection.ExecuteAsync(new CommandDefinition("select pg_advisory_unlock(@key)", new { key }));
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            // The session is gone (database restart, connection cut), and its lock with it. Clearing the
            // pool keeps a broken session from being handed out holding anything.
            NpgsqlConnection.ClearPool(connection);
        }
        finally
        {
            await connection.DisposeAsync();
        }
    }
}
