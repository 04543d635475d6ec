using Dapper;
using FollowUp.Jobs.Storage;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Options;
using Npgsql;
using NodaTime;

namespace FollowUp.Jobs.Clients;

/// <summary>
/// At every start-up, under the migration lock: makes sure the shared key ring has a current key (made
/// here, once, rather than by whichever node first encrypts something, so two nodes starting together
/// never each make their own), then encrypts every client secret still stored in plaintext (rows
/// written before encryption) and re-encrypts those protected with a key that is no longer current.
/// SQL cannot do this (it cannot call Data Protection), hence a step in .NET; idempotent: a second run
/// finds nothing to do.
/// </summary>
internal sealed class SecretEncryptionStep(SecretProtector protector, IKeyManager keys, IOptions<KeyRingOptions> options, IClock clock)
    : IMigrationStep
{
    public string Name => "encrypt client secrets";

    // The clients table holds businesses (hundreds, not millions): one pass, in one transaction.
    private const string SelectSql = "select id, webhook_secret, notify_secret, sms_route_secret from clients order by id for update";

    private const string UpdateSql =
        "update clients set webhook_secret = @webhookSecret, notify_secret = @notifySecret, sms_route_secret = @routeSecret where id = @id";

    public async Task<int> RunAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        EnsureCurrentKey();
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Id, string WebhookSecret, string? NotifySecret, string? RouteSecret)>(
            new CommandDefinition(SelectSql, transaction: tx, cancellationToken: cancellationToken));
        var changed = 0;
        foreach (var (id, webhookSecret, notifySecret, routeSecret) in rows)
        {
            var webhook = Refresh(webhookSecret);
            var notify = notifySecret is null ? null : Refresh(notifySecret);
            var route = routeSecret is null ? null : Refresh(routeSecret);
            if (webhook is null && notify is null && route is null)
            {
                continue;
            }

            await connection.ExecuteAsync(new CommandDefinition(UpdateSql,
                new { id, webhookSecret = webhook ?? webhookSecret, notifySecret = notify ?? notifySecret, routeSecret = route ?? routeSecret }, tx,
                cancellationToken: cancellationToken));
            changed++;
        }

        await tx.CommitAsync(cancellationToken);
        return changed;
    }

    /// <summary>The value to store instead of <paramref name="stored"/>, or null when it is current.</summary>
    private string? Refresh(string stored)
    {
        var secret = protector.Reveal(stored, out var needsReencryption);
        return needsReencryption ? protector.Protect(secret) : null;
    }

    private void EnsureCurrentKey()
    {
        var now = clock.GetCurrentInstant().ToDateTimeOffset();
        if (!keys.GetAllKeys().Any(k => !k.IsRevoked && k.ActivationDate <= now && k.ExpirationDate > now))
        {
            keys.CreateNewKey(now, now.AddDays(options.Value.KeyLifetimeDays));
        }
    }
}
