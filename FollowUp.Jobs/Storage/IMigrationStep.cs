using Npgsql;

namespace FollowUp.Jobs.Storage;

/// <summary>
/// A one-time data step that SQL cannot express (it needs .NET code, such as encrypting existing rows
/// with Data Protection). Every step runs at every start-up after the scripts, on the migration's
/// connection and under its advisory lock, so two nodes never run one at once: a step must be
/// idempotent (find what is left to do, do it, and do nothing the second time).
/// </summary>
public interface IMigrationStep
{
    /// <summary>A name for the log.</summary>
    string Name { get; }

    /// <summary>Does what is left to do; returns how many rows it changed.</summary>
    Task<int> RunAsync(NpgsqlConnection connection, CancellationToken cancellationToken);
}
