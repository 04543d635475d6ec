using Hangfire.PostgreSql;
using Hangfire.Storage;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace FollowUp.Jobs.Engine;

/// <summary>
/// Hangfire.PostgreSql's storage with its distributed locks taken as PostgreSQL session advisory locks
/// instead of rows in <c>hangfire.lock</c>. Every state change of every job takes a lock on the job
/// (Enqueued → Processing, Processing → Succeeded), and the library's row lock is a delete of expired
/// rows and an insert, each in a transaction of its own, then a delete to release: about five statements
/// and three commits with a WAL flush each, twice per job, and a contended lock is retried by sleeping
/// up to a second. An advisory lock is one statement to take and one to release, writes no WAL, wakes
/// a waiter the moment it is released, and dies with its session: a node killed or a database restarted
/// leaves no lock row behind for anyone to wait out.
/// </summary>
/// <remarks>
/// Only <see cref="PostgreSqlConnection.AcquireDistributedLock"/> is replaced (a public virtual member;
/// <c>AdvisoryLockStorageTests</c> fails if the library stops routing its locks through it). The library's
/// expiration manager still row-locks its own resource; nothing else does, and <see cref="RowLockGuardStep"/>
/// makes the table refuse every other row, so a node still on row locks (an old version left running in a
/// rolling deploy) cannot take a lock the others would not see: its state changes fail and it stalls,
/// loudly, instead of running a job beside another node.
/// </remarks>
internal sealed class AdvisoryLockStorage : PostgreSqlStorage
{
    private readonly AdvisoryLocks _locks;

    public AdvisoryLockStorage(string connectionString, PostgreSqlStorageOptions options, AdvisoryLocks locks)
        : base(new Hangfire.PostgreSql.Factories.NpgsqlConnectionFactory(connectionString, options), options)
    {
        _locks = locks;
        SchemaName = options.SchemaName;
    }

    /// <summary>The schema Hangfire's tables are in; lock keys are named within it as the library names them.</summary>
    public string SchemaName { get; }

    public override IStorageConnection GetConnection()
    {
        // The base call does the storage's lazy initialisation check; the connection it makes holds
        // nothing until used, so it is dropped at once.
        base.GetConnection().Dispose();
        return new AdvisoryLockConnection(this, _locks);
    }
}

/// <summary>
/// A Hangfire storage connection whose distributed locks are session advisory locks, on one database
/// session of its own held while it holds any lock (Hangfire nests locks on one connection: the session
/// makes a nested lock on the same key re-entrant, as the library's own locks are).
/// </summary>
/// <remarks>
/// Synchronous on purpose: Hangfire's storage API is synchronous and is called on its own worker threads.
/// </remarks>
internal sealed class AdvisoryLockConnection(AdvisoryLockStorage storage, AdvisoryLocks locks) : PostgreSqlConnection(storage)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _held = new(StringComparer.Ordinal);
    private NpgsqlConnection? _session;

    public override IDisposable AcquireDistributedLock(string resource, TimeSpan timeout)
    {
        ArgumentException.ThrowIfNullOrEmpty(resource);
        var name = $"{storage.SchemaName}:{resource}";
        lock (_gate)
        {
            if (_held.TryGetValue(name, out var count))
            {
                _held[name] = count + 1;
                return new Held(this, name);
            }

            _session ??= locks.OpenSession();
            try
            {
                AdvisoryLocks.Take(_session, name, timeout);
            }
            catch
            {
                if (_held.Count == 0)
                {
                    CloseSession(releaseAll: false);
                }

                throw;
            }

            _held[name] = 1;
            return new Held(this, name);
        }
    }

    public override void Dispose()
    {
        lock (_gate)
        {
            if (_session is not null)
            {
                // Locks still held when Hangfire drops its connection: none are left on the pooled session.
                _held.Clear();
                CloseSession(releaseAll: true);
            }
        }

        base.Dispose();
    }

    private void Release(string name)
    {
        lock (_gate)
        {
            if (!_held.TryGetValue(name, out var count))
            {
                return;
            }

            if (count > 1)
            {
                _held[name] = count - 1;
                return;
            }

            _held.Remove(name);
            if (_session is not null && !locks.Give(_session, name))
            {
                // The session is broken (its locks died with it) or lost the lock; either way it must not
                // go back to the pool: Give cleared the pool, and the session is dropped below.
                _held.Clear();
            }

            if (_held.Count == 0)
            {
                CloseSession(releaseAll: false);
            }
        }
    }

    private void CloseSession(bool releaseAll)
    {
        var session = _session;
        _session = null;
        if (session is not null)
        {
            locks.CloseSession(session, releaseAll);
        }
    }

    private sealed class Held(AdvisoryLockConnection owner, string name) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Release(name);
            }
        }
    }
}
