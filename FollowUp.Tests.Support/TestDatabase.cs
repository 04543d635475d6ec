using Dapper;
using FollowUp.Jobs;
using FollowUp.Jobs.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace FollowUp.Tests.Support;

/// <summary>
/// A fresh database per test on the throwaway cluster that test.sh starts (FOLLOWUP_TEST_PG). A
/// template is migrated once per run; each test database is a cheap copy of it.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    // Per process, so that two test runs against one cluster (two worktrees) never drop each other's template.
    private static readonly string Template = $"followup_template_{Environment.ProcessId}";
    private static readonly SemaphoreSlim TemplateGate = new(1, 1);
    private static bool _templateReady;

    private TestDatabase(string name, string connectionString)
    {
        Name = name;
        ConnectionString = connectionString;
        DataSource = new NpgsqlDataSourceBuilder(connectionString).UseNodaTime().Build();
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public NpgsqlDataSource DataSource { get; }

    public static string AdminConnectionString => Environment.GetEnvironmentVariable("FOLLOWUP_TEST_PG")
        ?? throw new InvalidOperationException("FOLLOWUP_TEST_PG is not set: run the tests through ./test.sh, which starts PostgreSQL.");

    /// <summary>A migrated database (or, with <paramref name="migrated"/> false, an empty one).</summary>
    public static async Task<TestDatabase> CreateAsync(bool migrated = true)
    {
        DapperConfiguration.Apply();
        if (migrated)
        {
            await EnsureTemplateAsync();
        }

        var name = "t_" + Guid.NewGuid().ToString("N")[..16];
        await using (var admin = new NpgsqlConnection(AdminConnectionString))
        {
            await admin.OpenAsync();
            await admin.ExecuteAsync(migrated ? $"create database {name} template {Template}" : $"create database {name}");
        }

        return new TestDatabase(name, For(name));
    }

    public static string For(string database) =>
        new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = database }.ConnectionString;

    private static async Task EnsureTemplateAsync()
    {
        await TemplateGate.WaitAsync();
        try
        {
            if (_templateReady)
            {
                return;
            }

            await using (var admin = new NpgsqlConnection(AdminConnectionString))
            {
                await admin.OpenAsync();
                await admin.ExecuteAsync($"drop database if exists {Template} with (force)");
                await admin.ExecuteAsync($"create database {Template}");
            }

            await using (var dataSource = NpgsqlDataSource.Create(For(Template)))
            {
                await new MigrationRunner(dataSource, NullLogger<MigrationRunner>.Instance).MigrateAsync(CancellationToken.None);
            }

            NpgsqlConnection.ClearAllPools();
            _templateReady = true;
        }
        finally
        {
            TemplateGate.Release();
        }
    }

    /// <summary>Cuts a database off: refuses new connections and terminates the open ones.</summary>
    public static async Task CutAsync(string name)
    {
        await using var admin = new NpgsqlConnection(AdminConnectionString);
        await admin.OpenAsync();
        await admin.ExecuteAsync($"alter database {name} allow_connections false");
        await admin.ExecuteAsync("select pg_terminate_backend(pid) from pg_stat_activity where datname = @name", new { name });
    }

    /// <summary>Undoes <see cref="CutAsync"/>.</summary>
    public static async Task RestoreAsync(string name)
    {
        await using var admin = new NpgsqlConnection(AdminConnectionString);
        await admin.OpenAsync();
        await admin.ExecuteAsync($"alter database {name} allow_connections true");
    }

    public async Task<T> ScalarAsync<T>(string sql, object? args = null)
    {
        await using var connection = await DataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<T>(sql, args) ?? throw new InvalidOperationException("null from: " + sql);
    }

    public async Task<List<T>> QueryAsync<T>(string sql, object? args = null)
    {
        await using var connection = await DataSource.OpenConnectionAsync();
        return (await connection.QueryAsync<T>(sql, args)).AsList();
    }

    public async Task ExecuteAsync(string sql, object? args = null)
    {
        await using var connection = await DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync(sql, args);
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(AdminConnectionString);
        await admin.OpenAsync();
        await admin.ExecuteAsync($"drop database if exists {Name} with (force)");
    }
}
