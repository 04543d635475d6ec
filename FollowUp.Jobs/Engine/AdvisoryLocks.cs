using System.Security.Cryptography;
using System.Text;
using Dapper;
using Hangfire.PostgreSql;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace FollowUp.Jobs.Engine;

/// <summary>
/// The sessions Hangfire's distributed locks are held on (see <see cref="EngineStorage"/>), and the
/// three statements they use. A pool of its own, never enlisted in an ambient transaction (a lock outlives
/// any one transaction, and the outbox's transaction scope must keep its single enlisted connection).
/// </summary>
/// <remarks>
/// Keys: a resource name (<c>hangfire:job:42:state-lock</c>) hashed to 56 bits under <see cref="KeyPrefix"/> in
/// the top byte, in the single-bigint key space beside the send claims' (<c>S</c>) and the migrations' key.
/// Two names sharing a hash would only share a lock (one waits for the other), never break one.
/// Pooled sessions are not reset on return (no <c>DISCARD ALL</c>: see <see cref="EngineConnections"/>), so a
/// session goes back to the pool only after its unlock answered; any doubt clears the pool instead.
/// </remarks>
internal sealed class AdvisoryLocks : IDisposable
{
    /// <summary>"H" (Hangfire) in the key's top byte.</summary>
    public const long KeyPrefix = 0x48L << 56;

    private const string LockNotAvailable = "55P03";

    private readonly NpgsqlDataSource _sessions;
    private readonly ILogger<AdvisoryLocks> _logger;

    public AdvisoryLocks(EngineConnections connections, ILogger<AdvisoryLocks> logger)
    {
        var builder = new NpgsqlConnectionStringBuilder(connections.ConnectionString) { Enlist = false };
        _sessions = NpgsqlDataSource.Create(builder.ConnectionString);
        _logger = logger;
    }

    /// <summary>The advisory-lock key of a resource name.</summary>
    public static long KeyOf(string name)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(name), hash);
        var low = BitConverter.ToInt64(hash[..8]) & 0x00FF_FFFF_FFFF_FFFFL;
        return KeyPrefix | low;
    }

    public NpgsqlConnection OpenSession() => _sessions.OpenConnection();

    /// <summary>
    /// Takes the lock on <paramref name="name"/> on <paramref name="session"/>, waiting up to
    /// <paramref name="timeout"/> (blocked in PostgreSQL's lock queue, woken when it is released), or
    /// throws the library's own <see cref="PostgreSqlDistributedLockException"/>, which Hangfire's callers
    /// already handle.
    /// </summary>
    public static void Take(NpgsqlConnection session, string name, TimeSpan timeout)
    {
        var key = KeyOf(name);
        if (session.ExecuteScalar<bool>("select pg_try_advisory_lock(@key)", new { key }))
        {
            return;
        }

        var wait = (long)Math.Ceiling(timeout.TotalMilliseconds);
        if (wait < 1)
        {
            throw new PostgreSqlDistributedLockException(name);
        }

        // Only a contended lock pays for these: lock_timeout bounds the wait, and is put back at once
        // because the session returns to the pool unreset.
        session.Execute($"set lock_timeout = {Math.Min(wait, int.MaxValue)}");
        try
        {
            session.Execute("select pg_advisory_lock(@key)", new { key });
        }
        catch (PostgresException ex) when (ex.SqlState == LockNotAvailable)
        {
            throw new PostgreSqlDistributedLockException(name);
        }
        finally
        {
            if (session.FullState == System.Data.ConnectionState.Open)
            {
                session.Execute("set lock_timeout = 0");
            }
        }
    }

    /// <summary>Releases the lock on <paramref name="name"/>; false when the session could not say it did (then the pool is cleared).</summary>
    public bool Give(NpgsqlConnection session, string name)
    {
        try
        {
            if (session.ExecuteScalar<bool>("select pg_advisory_unlock(@key)", new { key = KeyOf(name) }))
            {
                return true;
            }

            _logger.LogWarning("Hangfire lock {Resource} was not held by its session when released", name);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            // The session is gone (a database restart, a cut connection) and its locks with it.
            _logger.LogWarning(ex, "Hangfire lock {Resource}: its session ended before the release", name);
        }

        NpgsqlConnection.ClearPool(session);
        return false;
    }

    /// <summary>Returns a session to the pool, first dropping whatever it still holds when <paramref name="releaseAll"/>.</summary>
    public void CloseSession(NpgsqlConnection session, bool releaseAll)
    {
        try
        {
            if (releaseAll && session.FullState == System.Data.ConnectionState.Open)
            {
                session.Execute("select pg_advisory_unlock_all()");
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            _logger.LogWarning(ex, "Hangfire lock session ended before its locks were dropped");
            NpgsqlConnection.ClearPool(session);
        }
        finally
        {
            session.Dispose();
        }
    }

    public void Dispose() => _sessions.Dispose();
}
