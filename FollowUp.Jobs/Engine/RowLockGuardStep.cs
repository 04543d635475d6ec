using Dapper;
using FollowUp.Jobs.Storage;
using Npgsql;

namespace FollowUp.Jobs.Engine;

/// <summary>
/// At every start-up, after Hangfire's schema is installed: makes <c>hangfire.lock</c> refuse every row but
/// the one resource the library still row-locks itself (its expiration manager's). FollowUp's nodes take
/// Hangfire's locks as advisory locks (<see cref="EngineStorage"/>); a node that still took them as
/// rows would not see theirs, and could run a state change beside another node. With this check in place
/// such a node's lock inserts fail, so it stalls (its jobs stay in the queue for the others) instead.
/// </summary>
/// <remarks>
/// <c>not valid</c>: rows an old node holds at the moment of the upgrade stay until they expire.
/// Idempotent: a second run finds the constraint and changes nothing.
/// </remarks>
internal sealed class RowLockGuardStep : IMigrationStep
{
    /// <summary>The constraint's name on <c>hangfire.lock</c>.</summary>
    public const string Constraint = "lock_rows_retired";

    /// <summary>The one resource Hangfire.PostgreSql 1.21.1 row-locks directly (its <c>ExpirationManager</c>).</summary>
    public const string ExpirationManagerResource = "locks:expirationmanager";

    public string Name => "retire Hangfire's lock rows";

    public async Task<int> RunAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var exists = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "select exists (select 1 from pg_constraint where conname = @name and conrelid = @table::regclass)",
            new { name = Constraint, table = $"{EngineOptions.HangfireSchema}.lock" }, cancellationToken: cancellationToken));
        if (exists)
        {
            return 0;
        }

        await connection.ExecuteAsync(new CommandDefinition(
            $"alter table {EngineOptions.HangfireSchema}.lock add constraint {Constraint} " +
            $"check (resource = '{ExpirationManagerResource}') not valid",
            cancellationToken: cancellationToken));
        return 1;
    }
}
