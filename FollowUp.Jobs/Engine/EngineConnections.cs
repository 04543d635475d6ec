using Npgsql;

namespace FollowUp.Jobs.Engine;

/// <summary>
/// The connection string Hangfire's storage uses, and the connections the outbox opens with it. One
/// string on purpose: Npgsql keeps one pool per connection string, and inside a <c>TransactionScope</c>
/// a connection opened after another was closed gets the same physical connection back, still in the
/// same transaction. So the outbox's own statements and Hangfire's, run one after another in one scope,
/// are one local PostgreSQL transaction; two pools (or two open connections) would make two enlistments,
/// which System.Transactions turns into a two-phase commit (PREPARE TRANSACTION, refused by a default
/// PostgreSQL and unsupported by .NET on Linux as a distributed transaction).
/// </summary>
/// <remarks>
/// Hangfire's connections are plain Npgsql connections (no NodaTime mapping): the outbox's statements
/// pass and read <c>timestamptz</c> as UTC <see cref="DateTime"/>.
/// </remarks>
internal sealed class EngineConnections
{
    public EngineConnections(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            // The outbox's atomicity rests on enlistment; a string that turned it off would quietly split
            // a message's transaction from its job's.
            Enlist = true,
        };

        // Hangfire.PostgreSql runs a few dozen distinct statements thousands of times a second. Prepared,
        // each skips parsing and planning; but Npgsql's pool reset (DISCARD ALL and friends, run when a
        // connection is next used after its return to the pool) would throw the prepared statements away
        // and costs statements of its own, so the two go together (measured: docs/BENCHMARKS.md). Safe:
        // Hangfire leaves no session state on a pooled connection (long polling's LISTEN is off, its locks
        // are rows). A connection string that names either setting keeps its own.
        if (!connectionString.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase))
        {
            builder.MaxAutoPrepare = 64;
            builder.AutoPrepareMinUsages = 2;
        }

        if (!connectionString.Contains("Reset On Close", StringComparison.OrdinalIgnoreCase))
        {
            builder.NoResetOnClose = true;
        }

        ConnectionString = builder.ConnectionString;
    }

    /// <summary>Hangfire.PostgreSql's connection string, and the outbox's.</summary>
    public string ConnectionString { get; }

    /// <summary>Opens a connection from Hangfire's pool; inside a transaction scope it enlists (or gets the scope's own connection back).</summary>
    public async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}
