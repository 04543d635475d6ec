using FollowUp.Jobs.Clients;
using FollowUp.Jobs.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace FollowUp.Tests.Support;

/// <summary>Reads a secret column as stored: it must be encrypted, and it must decrypt to the secret given.</summary>
public static class StoredSecrets
{
    /// <summary>The secret the column read by <paramref name="sql"/> holds, after checking it is stored encrypted.</summary>
    public static async Task<string> RevealAsync(this TestDatabase db, IServiceProvider services, string sql)
    {
        ArgumentNullException.ThrowIfNull(db);
        var stored = await db.ScalarAsync<string>(sql);
        Assert.That(stored, Does.StartWith(SecretProtector.Prefix), "a secret is stored encrypted, never in plaintext");
        return services.GetRequiredService<SecretProtector>().Reveal(stored);
    }
}
