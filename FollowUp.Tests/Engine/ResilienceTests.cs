using FollowUp.Jobs.Channels.Sms;
using FollowUp.Jobs.Messages;
using FollowUp.Tests.Messages;
using FollowUp.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NodaTime;

namespace FollowUp.Tests.Engine;

/// <summary>
/// The database goes away under load, with no process restart: every connection of the app is
/// terminated (what a PostgreSQL restart does to its clients), or the database refuses connections for a
/// while. Nothing accepted is lost; at least once, never never.
/// </summary>
[NonParallelizable]
public sealed class ResilienceTests : EngineTest
{
    private ScriptedSmsProvider _sms = null!;

    // More attempts further apart than elsewhere: the chaos below can fail three quick attempts in a row.
    protected override Dictionary<string, string?> Settings => new()
    {
        ["FollowUp:Engine:ReconcileGraceSeconds"] = "5",
        ["FollowUp:Retry:Attempts"] = "5",
        ["FollowUp:Retry:DelaySeconds"] = "2",
    };

    protected override void ConfigureServices(IServiceCollection services)
    {
        _sms = new ScriptedSmsProvider("scripted");
        services.AddSingleton<ISmsProvider>(_sms);
    }

    [TearDown]
    public async Task TearDown() => await TestDatabase.RestoreAsync(Db.Name);

    private static async Task TerminateConnectionsAsync(string database)
    {
        await using var admin = new NpgsqlConnection(TestDatabase.AdminConnectionString);
        await admin.OpenAsync();
        await using var command = new NpgsqlCommand(
            "select count(pg_terminate_backend(pid)) from pg_stat_activity where datname = @name and pid <> pg_backend_pid()", admin);
        command.Parameters.AddWithValue("name", database);
        await command.ExecuteScalarAsync();
    }

    [Test]
    public async Task ConnectionsTerminatedRepeatedlyUnderLoad_EveryAcceptedMessageIsSent()
    {
        const int count = 200;
        var messages = Engine.Services.GetRequiredService<IMessageClient>();
        var accepted = new List<long>();
        var refused = 0;
        using var stop = new CancellationTokenSource();
        var chaos = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(300);
                await TerminateConnectionsAsync(Db.Name);
            }
        });

        for (var i = 0; i < count; i++)
        {
            try
            {
                accepted.Add((await messages.SendSmsAsync("acme-dental", $"+1212555{i:D4}", $"message {i}")).Id);
            }
            catch (NpgsqlException)
            {
                // Told it failed. Only a failure of the COMMIT itself leaves the outcome unknown to
                // anyone (the message may exist): such a message must still be sent, never lost.
                refused++;
            }
        }

        await stop.CancelAsync();
        await chaos;
        await Eventually.WaitForAsync(
            async () => string.Join(", ", await Db.QueryAsync<string>("select status || ' ' || count(*) from messages where status <> 'sent' group by status")),
            // A Hangfire lock row held by a killed connection stalls its resource until it expires
            // (LockTimeoutSeconds, 30 s; Hangfire.PostgreSql's default is 10 minutes).
            left => left.Length == 0, TimeSpan.FromSeconds(150), "every accepted message to be sent");

        var sentTo = _sms.Calls.Select(c => c.To).ToList();
        var stored = await Db.QueryAsync<string>("select recipient from messages");
        var acceptedTo = (await Db.QueryAsync<string>("select recipient from messages where id = any(@accepted)", new { accepted = accepted.ToArray() }));
        TestContext.Out.WriteLine($"accepted {accepted.Count}, refused {refused} (of which committed anyway: {stored.Count - accepted.Count}), " +
            $"provider calls {sentTo.Count}, duplicates {sentTo.Count - sentTo.Distinct().Count()}");
        Assert.Multiple(() =>
        {
            Assert.That(acceptedTo, Has.Count.EqualTo(accepted.Count), "every accepted message is stored");
            Assert.That(sentTo.Distinct(), Is.EquivalentTo(stored), "every stored message reached the provider, and nothing else did");
            Assert.That(accepted.Count, Is.GreaterThan(0));
        });
    }

    [Test]
    public async Task DatabaseRefusesConnectionsForAWhile_ScheduledRemindersDueMeanwhile_AllSentAfter()
    {
        var messages = Engine.Services.GetRequiredService<IMessageClient>();
        var due = SystemClock.Instance.GetCurrentInstant() + Duration.FromSeconds(2);
        var ids = new List<long>();
        for (var i = 0; i < 20; i++)
        {
            ids.Add((await messages.SendSmsAsync("acme-dental", $"+1310555{i:D4}", $"reminder {i}", due)).Id);
        }

        await TestDatabase.CutAsync(Db.Name);
        await Task.Delay(TimeSpan.FromSeconds(5)); // due while the database is away
        await TestDatabase.RestoreAsync(Db.Name);

        await Eventually.WaitForAsync(() => Db.ScalarAsync<long>("select count(*) from messages where status = 'sent'"), n => n == ids.Count,
            TimeSpan.FromSeconds(120), "every reminder to be sent");
        Assert.That(_sms.Calls.Select(c => c.To).Distinct().Count(), Is.EqualTo(ids.Count));
    }
}
