using System.Reflection;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace FollowUp.Jobs.Storage;

/// <summary>
/// Applies the numbered, forward-only scripts in <c>sql/</c> (embedded in this assembly) that the
/// database has not seen, each in its own transaction, recording each in <c>schema_migrations</c>.
/// Safe when several nodes start at once: the whole run holds a session advisory lock, so the second
/// node waits, then finds everything applied. After the scripts, under the same lock, the
/// <see cref="IMigrationStep"/>s run (idempotent data steps in .NET, e.g. encrypting existing secrets).
/// </summary>
public sealed class MigrationRunner(NpgsqlDataSource dataSource, ILogger<MigrationRunner> logger, IEnumerable<IMigrationStep>? steps = null)
{
    /// <summary>The schema Hangfire.PostgreSql's tables live in (installed here, under the migration lock).</summary>
    public const string HangfireSchema = "hangfire";

    // Any constant works; it only has to be the same for every node and unique to this purpose.
    private const long AdvisoryLockKey = 0x466F6C6C6F775570; // "FollowUp"

    private const string CreateTableSql = """
        create table if not exists schema_migrations (
            version    text primary key,
            applied_at timestamptz not null default now()
        )
        """;

    /// <summary>The embedded scripts, ordered by name (their number).</summary>
    public static IReadOnlyList<(string Version, string Sql)> Scripts { get; } = LoadScripts();

    /// <summary>Applies what is missing; returns the versions applied by this call.</summary>
    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "select pg_advisory_lock(@key)", new { key = AdvisoryLockKey }, cancellationToken: cancellationToken));
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(CreateTableSql, cancellationToken: cancellationToken));
            var applied = (await connection.QueryAsync<string>(new CommandDefinition(
                "select version from schema_migrations", cancellationToken: cancellationToken))).ToHashSet(StringComparer.Ordinal);

            var done = new List<string>();
            foreach (var (version, sql) in Scripts)
            {
                if (applied.Contains(version))
                {
                    continue;
                }

                await using var tx = await connection.BeginTransactionAsync(cancellationToken);
                await connection.ExecuteAsync(new CommandDefinition(sql, transaction: tx, cancellationToken: cancellationToken));
                await connection.ExecuteAsync(new CommandDefinition(
                    "insert into schema_migrations (version) values (@version)", new { version }, tx,
                    cancellationToken: cancellationToken));
                await tx.CommitAsync(cancellationToken);
                logger.LogInformation("Applied migration {Version}", version);
                done.Add(version);
            }

            // Hangfire's schema, under the same lock: two nodes starting at once never race its installer.
            Hangfire.PostgreSql.PostgreSqlObjectsInstaller.Install(connection, HangfireSchema);
            foreach (var step in steps ?? [])
            {
                var changed = await step.RunAsync(connection, cancellationToken);
                if (changed > 0)
                {
                    logger.LogInformation("Migration step {Step} changed {Count} rows", step.Name, changed);
                }
            }

            return done;
        }
        finally
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "select pg_advisory_unlock(@key)", new { key = AdvisoryLockKey }, cancellationToken: CancellationToken.None));
        }
    }

    private static List<(string, string)> LoadScripts()
    {
        var assembly = typeof(MigrationRunner).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("sql.", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n => (n["sql.".Length..^".sql".Length], Read(assembly, n)))
            .ToList();
    }

    private static string Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Missing embedded migration {name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
