using System.Net;
using FollowUp.Jobs.Clients;
using FollowUp.Jobs.Storage;
using FollowUp.Tests.Support;
using FollowUp.Tests.Web;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;

namespace FollowUp.Tests.Clients;

/// <summary>
/// Client secrets at rest: encrypted with Data Protection, the key ring in the database shared by every
/// node, existing plaintext rows encrypted once at start-up, rotated keys re-encrypted.
/// </summary>
public sealed class ClientSecretsTests
{
    private const string WebhookSecret = "whsec_0123456789abcdef";
    private const string NotifySecret = "nsec_0123456789abcdef";

    [Test]
    public async Task Upsert_TwoNodesOnOneDatabase_SecretsStoredEncrypted_TheOtherNodeVerifiesAndDecrypts()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var first = ApiHost.Start(db);
        await using var second = ApiHost.Start(db);
        await TestClients.CreateAsync(first.Services, settings: TestClients.Acme(c => c with
        {
            Notifications = new NotificationSettings { Url = "https://crm.example/hook", Secret = NotifySecret },
        }));

        var stored = await db.QueryAsync<(string Webhook, string Notify)>("select webhook_secret, notify_secret from clients");
        var accepted = await second.Client.SendAsync(CallWebhookTests.Signed(CallWebhookTests.Booked(), WebhookSecret));

        Assert.Multiple(async () =>
        {
            Assert.That(stored[0].Webhook, Does.StartWith(SecretProtector.Prefix).And.Not.Contain(WebhookSecret));
            Assert.That(stored[0].Notify, Does.StartWith(SecretProtector.Prefix).And.Not.Contain(NotifySecret));
            Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await accepted.Content.ReadAsStringAsync());
            Assert.That(second.Services.GetRequiredService<SecretProtector>().Reveal(stored[0].Notify), Is.EqualTo(NotifySecret));
            Assert.That(await db.ScalarAsync<long>("select count(*) from data_protection_keys"), Is.EqualTo(1),
                "two nodes starting on one database share one key, made once under the migration lock");
        });
    }

    [Test]
    public async Task StartUp_PlaintextSecretsFromBefore_EncryptedOnce_StillVerify()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.ExecuteAsync("""
            insert into clients (id, name, time_zone, business_hours, webhook_secret, notify_url, notify_secret, created_at, updated_at)
            values ('acme-dental', 'Acme Dental', 'America/New_York', '{"mon": ["00:00", "24:00"]}', @webhook,
                    'https://crm.example/hook', @notify, now(), now())
            """, new { webhook = WebhookSecret, notify = NotifySecret });

        await using var host = ApiHost.Start(db);
        var accepted = await host.Client.SendAsync(CallWebhookTests.Signed(CallWebhookTests.Booked(), WebhookSecret));
        var afterStartUp = await db.QueryAsync<(string, string)>("select webhook_secret, notify_secret from clients");
        var again = await host.Services.GetRequiredService<MigrationRunner>().MigrateAsync(CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await accepted.Content.ReadAsStringAsync());
            Assert.That(await db.RevealAsync(host.Services, "select webhook_secret from clients"), Is.EqualTo(WebhookSecret));
            Assert.That(await db.RevealAsync(host.Services, "select notify_secret from clients"), Is.EqualTo(NotifySecret));
            Assert.That(again, Is.Empty);
            Assert.That(await db.QueryAsync<(string, string)>("select webhook_secret, notify_secret from clients"), Is.EqualTo(afterStartUp),
                "a second start-up finds nothing to encrypt and rewrites nothing");
        });
    }

    [Test]
    public async Task StartUp_AfterTheKeyRotates_SecretsAreReencryptedWithTheNewKey_AndStillVerify()
    {
        await using var db = await TestDatabase.CreateAsync();
        string before;
        await using (var host = ApiHost.Start(db))
        {
            await TestClients.CreateAsync(host.Services);
            before = await db.ScalarAsync<string>("select webhook_secret from clients");

            // A newer key becomes the default (as Data Protection does itself when the current one nears
            // expiry): activated now, to the tick, so strictly after the first key (made at start-up) —
            // Data Protection's default is the most recently activated key.
            var now = NodaTime.SystemClock.Instance.GetCurrentInstant().ToDateTimeOffset();
            host.Services.GetRequiredService<IKeyManager>().CreateNewKey(now, now.AddDays(90));
        }

        // The next start-up re-encrypts what the old key protected.
        await using var next = ApiHost.Start(db);
        var accepted = await next.Client.SendAsync(CallWebhookTests.Signed(CallWebhookTests.Booked(), WebhookSecret));
        var after = await db.ScalarAsync<string>("select webhook_secret from clients");

        Assert.Multiple(async () =>
        {
            Assert.That(await db.ScalarAsync<long>("select count(*) from data_protection_keys"), Is.EqualTo(2));
            Assert.That(after, Is.Not.EqualTo(before), "re-encrypted with the current key");
            Assert.That(await db.RevealAsync(next.Services, "select webhook_secret from clients"), Is.EqualTo(WebhookSecret));
            Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await accepted.Content.ReadAsStringAsync());
        });
    }
}
