using Dapper;
using Hangfire.Common;
using Hangfire.PostgreSql;
using Hangfire.Storage;
using Npgsql;

namespace FollowUp.Jobs.Engine;

/// <summary>
/// Hangfire.PostgreSql's storage with two members of its connection replaced, each a public virtual member
/// of the library (<c>EngineStorageTests</c> fails if an upgrade changes either):
/// <list type="bullet">
/// <item><b>Distributed locks as PostgreSQL session advisory locks</b> instead of rows in <c>hangfire.lock</c>.
/// Every state change of every job takes a lock on the job (Enqueued → Processing, Processing → Succeeded),
/// and the library's row lock is a delete of expired rows and an insert, each in a transaction of its own,
/// then a delete to release: about five statements and three commits with a WAL flush each, twice per job,
/// and a contended lock is retried by sleeping up to a second. An advisory lock is one statement to take
/// and one to release, writes no WAL, wakes a waiter the moment it is released, and dies with its session:
/// a node killed or a database restarted leaves no lock row behind for anyone to wait out.</item>
/// <item><b>A job's parameters read with the job</b>: <see cref="PostgreSqlConnection.GetJobData"/> also returns
/// <see cref="JobData.ParametersSnapshot"/>, in the same statement, as Hangfire 1.8's own SQL Server storage
/// does. Hangfire reads the job under its lock at every state change, and the filters that read a
/// parameter "allowing stale" (the culture, continuations, the retry count, the trace context) then take it
/// from the snapshot instead of one statement each.</item>
/// </list>
/// </summary>
/// <remarks>
/// The library's expiration manager still row-locks its own resource; nothing else does, and
/// <see cref="RowLockGuardStep"/> makes the table refuse every other row, so a node still on row locks (an
/// old version left running in a rolling deploy) cannot take a lock the others would not see: its state
/// changes fail and it stalls, loudly, instead of running a job beside another node.
/// </remarks>
internal sealed class EngineStorage : PostgreSqlStorage
{
    private readonly AdvisoryLocks _locks;

    public EngineStorage(string connectionString, PostgreSqlStorageOptions options, AdvisoryLocks locks)
        : base(new Hangfire.PostgreSql.Factories.NpgsqlConnectionFactory(connectionString, options), options)
    {
        _locks = locks;
        SchemaName = options.SchemaName;
        ConnectionString = connectionString;
    }

    /// <summary>Hangfire's connection string (one pool with the library's own statements).</summary>
    public string ConnectionString { get; }

    /// <summary>The schema Hangfire's tables are in; lock keys are named within it as the library names them.</summary>
    public string SchemaName { get; }

    public override IStorageConnection GetConnection()
    {
        // The base call does the storage's lazy initialisation check; the connection it makes holds
        // nothing until used, so it is dropped at once.
        base.GetConnection().Dispose();
        return new EngineStorageConnection(this, _locks);
    }
}

/// <summary>
/// A Hangfire storage connection (see <see cref="EngineStorage"/>). Its distributed locks are session
/// advisory locks on one database session of its own, held while it holds any lock (Hangfire nests locks on
/// one connection; a nested lock on the same resource is counted here, as the library's own are).
/// </summary>
/// <remarks>
/// Synchronous on purpose: Hangfire's storage API is synchronous and is called on its own worker threads.
/// </remarks>
internal sealed class EngineStorageConnection(EngineStorage storage, AdvisoryLocks locks) : PostgreSqlConnection(storage)
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

    public override JobData? GetJobData(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        var sql = $"""
            select j.invocationdata as InvocationData, j.statename as StateName, j.arguments as Arguments, j.createdat as CreatedAt,
                   (select jsonb_object_agg(p.name, p.value) from "{storage.SchemaName}".jobparameter p where p.jobid = j.id)::text as Parameters
            from "{storage.SchemaName}".job j where j.id = @id
            """;
        using var connection = new NpgsqlConnection(storage.ConnectionString);
        var row = connection.QuerySingleOrDefault<JobRow>(sql, new { id = long.Parse(id, System.Globalization.CultureInfo.InvariantCulture) });
        if (row is null)
        {
            return null;
        }

        // As the library builds it: the invocation data with the arguments column, a job that cannot be
        // loaded (its type gone) reported as its load exception rather than thrown.
        var invocation = SerializationHelper.Deserialize<InvocationData>(row.InvocationData);
        invocation.Arguments = row.Arguments;
        Job? job = null;
        JobLoadException? loadException = null;
        try
        {
            job = invocation.DeserializeJob();
        }
        catch (JobLoadException ex)
        {
            loadException = ex;
        }

        return new JobData
        {
            Job = job,
            State = row.StateName,
            CreatedAt = row.CreatedAt,
            LoadException = loadException,
            ParametersSnapshot = row.Parameters is null
                ? new Dictionary<string, string>()
                : System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(row.Parameters)!,
        };
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

    private sealed class Held(EngineStorageConnection owner, string name) : IDisposable
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

    private sealed class JobRow
    {
        public string InvocationData { get; init; } = "";

        public string? StateName { get; init; }

        public string? Arguments { get; init; }

        public DateTime CreatedAt { get; init; }

        public string? Parameters { get; init; }
    }
}
