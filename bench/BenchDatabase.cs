using Dapper;
using Npgsql;

namespace FollowUp.Bench;

/// <summary>A fresh database per measurement on the benchmark's throwaway cluster.</summary>
internal static class BenchDatabase
{
    public static async Task<string> CreateAsync(string adminCs, string name, int maxPoolSize)
    {
        await using (var admin = new NpgsqlConnection(adminCs))
        {
            await admin.OpenAsync();
            await admin.ExecuteAsync($"drop database if exists {name} with (force)");
            await admin.ExecuteAsync($"create database {name}");
        }

        return new NpgsqlConnectionStringBuilder(adminCs) { Database = name, MaxPoolSize = maxPoolSize }.ConnectionString;
    }
}
