using System.Net;
using FollowUp.Jobs.Calls;
using FollowUp.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace FollowUp.Tests.Web;

/// <summary>POST /webhooks/calls when things go wrong: processing fails, the database is cut, the app is killed, the node is full.</summary>
public sealed partial class CallWebhookTests
{
    [Test]
    public async Task Post_ProcessingFails_500_JournaledFailed_ReplayCompletes_ThenRetryIsDuplicate()
    {
        // A real failure inside the processing transaction: the calls insert raises.
        await Db.ExecuteAsync("""
            create function fail_calls() returns trigger language plpgsql as $$ begin raise exception 'disk full (test)'; end $$;
            create trigger fail_calls before insert on calls for each row execute function fail_calls();
            """);
        var json = Booked();
        var failed = await Send(Signed(json));
        var entry = (await Db.QueryAsync<(long Id, string Status, string Error, int Attempts)>(
            "select id, status, error, attempts from inbound_webhooks")).Single();
        Assert.Multiple(async () =>
        {
            Assert.That(failed.StatusCode, Is.EqualTo(HttpStatusCode.InternalServerError));
            Assert.That(entry.Status, Is.EqualTo("failed"));
            Assert.That(entry.Error, Does.Contain("disk full (test)"));
            Assert.That(await Db.ScalarAsync<long>("select count(*) from messages"), Is.EqualTo(0), "the plan rolled back whole");
        });

        await Db.ExecuteAsync("drop trigger fail_calls on calls");
        var replay = await Api.Client.PostAsync(new Uri($"/api/call-webhooks/{entry.Id}/replay", UriKind.Relative), null);
        var again = await Api.Client.PostAsync(new Uri($"/api/call-webhooks/{entry.Id}/replay", UriKind.Relative), null);
        var retry = await Send(Signed(json));
        Assert.Multiple(async () =>
        {
            Assert.That(replay.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(retry.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await retry.Content.ReadAsStringAsync(), Is.EqualTo(await replay.Content.ReadAsStringAsync()));
            Assert.That(await Counts(), Is.EqualTo((1L, 6L, 6L, 1L)));
            Assert.That(await Db.ScalarAsync<int>("select attempts from inbound_webhooks"), Is.EqualTo(2));
        });
    }

    [Test]
    public async Task Post_DatabaseFaultWhileProcessing_SweepRetriesItAfterItsBackoff()
    {
        await Db.ExecuteAsync("""
            create function fail_calls() returns trigger language plpgsql as $$ begin raise exception 'disk full (test)'; end $$;
            create trigger fail_calls before insert on calls for each row execute function fail_calls();
            """);
        var failed = await Send(Signed(Booked()));
        var (status, backoff) = (await Db.QueryAsync<(string Status, double Seconds)>(
            "select status, extract(epoch from next_attempt_at - now())::float8 from inbound_webhooks")).Single();
        var intake = Api.Services.GetRequiredService<CallIntake>();
        var early = await intake.ReplayStalledAsync(Duration.FromMinutes(1), CancellationToken.None);

        await Db.ExecuteAsync("drop trigger fail_calls on calls");
        // Its backoff is over (instead of waiting a minute for it).
        await Db.ExecuteAsync("update inbound_webhooks set next_attempt_at = now() - interval '1 second'");
        var swept = await intake.ReplayStalledAsync(Duration.FromMinutes(1), CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(failed.StatusCode, Is.EqualTo(HttpStatusCode.InternalServerError));
            Assert.That(status, Is.EqualTo("failed"));
            Assert.That(backoff, Is.InRange(30, 60), "the first retry is due about a minute later");
            Assert.That(early, Is.Zero, "not before its backoff");
            Assert.That(swept, Is.EqualTo(1));
            Assert.That(await Db.ScalarAsync<string>("select status from inbound_webhooks"), Is.EqualTo("processed"));
            Assert.That(await Db.ScalarAsync<long>("select count(*) from messages"), Is.EqualTo(6));
        });
    }

    [Test]
    public async Task Post_DatabaseCutAfterJournalBeforeProcessing_EntryStaysReceived_SweepCompletesItOnce()
    {
        // Processing blocks inside its transaction (a slow trigger) while the test cuts the database:
        // the transaction dies, and so does the attempt to record the failure, as in a crash.
        await Db.ExecuteAsync("""
            create function slow_calls() returns trigger language plpgsql as $$ begin perform pg_sleep(5); return new; end $$;
            create trigger slow_calls before insert on calls for each row execute function slow_calls();
            """);
        var post = Send(Signed(Booked()));
        await Eventually.WaitForAsync(() => Db.ScalarAsync<long>("select count(*) from inbound_webhooks"), n => n == 1);
        await Task.Delay(300);
        await TestDatabase.CutAsync(Db.Name);
        var response = await post;
        await TestDatabase.RestoreAsync(Db.Name);
        // The cut broke every pooled connection, the test's and the app's.
        Db.DataSource.Clear();
        Api.Services.GetRequiredService<Npgsql.NpgsqlDataSource>().Clear();
        Npgsql.NpgsqlConnection.ClearAllPools(); // Hangfire's own connections
        await Db.ExecuteAsync("drop trigger slow_calls on calls");

        Assert.Multiple(async () =>
        {
            Assert.That((int)response.StatusCode, Is.GreaterThanOrEqualTo(500));
            Assert.That(await Db.ScalarAsync<string>("select status from inbound_webhooks"), Is.EqualTo("received"));
            Assert.That(await Db.ScalarAsync<long>("select count(*) from messages"), Is.EqualTo(0));
        });

        var intake = Api.Services.GetRequiredService<CallIntake>();
        var first = await intake.ReplayStalledAsync(Duration.Zero, CancellationToken.None);
        var second = await intake.ReplayStalledAsync(Duration.Zero, CancellationToken.None);
        Assert.Multiple(async () =>
        {
            Assert.That((first, second), Is.EqualTo((1, 0)));
            Assert.That(await Counts(), Is.EqualTo((1L, 6L, 6L, 1L)));
        });
    }

    [Test]
    public async Task Post_AppKilledMidProcessing_JournalSurvives_RetryOnANewProcessPlansOnce()
    {
        // The app in its own process; its processing blocks inside the transaction (a slow trigger)
        // and the process is killed with SIGKILL, as a crashed machine would be.
        await Db.ExecuteAsync("""
            create function slow_calls() returns trigger language plpgsql as $$ begin perform pg_sleep(30); return new; end $$;
            create trigger slow_calls before insert on calls for each row execute function slow_calls();
            """);
        // PostgreSQL notices a vanished client mid-query only when asked to check (as production should).
        await Db.ExecuteAsync($"alter database {Db.Name} set client_connection_check_interval = '100ms'");
        var url = $"http://127.0.0.1:{FreePort()}";
        var settings = new Dictionary<string, string> { ["FollowUp__Api__Keys__0"] = ApiHost.ApiKey };
        var json = Booked();
        HttpResponseMessage retry;
        await using (var first = NodeProcess.StartWeb(url, Db.ConnectionString, settings))
        {
            using var http = new HttpClient { BaseAddress = new Uri(url) };
            await Eventually.WaitForAsync(async () => await Ready(http), ok => ok, what: "the app to start");
            var post = http.SendAsync(Signed(json));
            await Eventually.WaitForAsync(() => Db.ScalarAsync<long>("select count(*) from inbound_webhooks"), n => n == 1, what: "the journal entry");
            await Eventually.WaitForAsync(() => Db.ScalarAsync<long>(
                "select count(*) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and query like '%insert into calls%' and state = 'active'"),
                n => n == 1, what: "processing to be inside its transaction");
            first.Kill9();
            Assert.That(async () => await post, Throws.InstanceOf<HttpRequestException>(), "the caller got no answer");
        }

        await Eventually.WaitForAsync(() => Db.ScalarAsync<long>(
            "select count(*) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and query like '%insert into calls%'"),
            n => n == 0, what: "the killed process's transaction to be rolled back");
        await Db.ExecuteAsync("drop trigger slow_calls on calls");
        Assert.Multiple(async () =>
        {
            Assert.That(await Db.ScalarAsync<string>("select status from inbound_webhooks"), Is.EqualTo("received"));
            Assert.That(await Db.ScalarAsync<long>("select count(*) from messages"), Is.EqualTo(0));
        });

        await using (var second = NodeProcess.StartWeb(url, Db.ConnectionString, settings))
        {
            using var http = new HttpClient { BaseAddress = new Uri(url) };
            await Eventually.WaitForAsync(async () => await Ready(http), ok => ok, what: "the app to start again");
            retry = await http.SendAsync(Signed(json)); // the platform retries: it got no 2xx
            var again = await http.SendAsync(Signed(json));
            Assert.Multiple(async () =>
            {
                Assert.That(retry.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await retry.Content.ReadAsStringAsync());
                Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            });
        }

        Assert.That(await Counts(), Is.EqualTo((1L, 6L, 6L, 1L)));
    }

    private static async Task<bool> Ready(HttpClient http)
    {
        try
        {
            using var response = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Test]
    public async Task Post_BeyondTheNodesLimit_503WithRetryAfter_NothingRecorded_ThenAccepted()
    {
        await using var limited = ApiHost.Start(Db, new()
        {
            ["FollowUp:Webhooks:MaxConcurrent"] = "1", ["FollowUp:Webhooks:MaxQueued"] = "0", ["FollowUp:Webhooks:RetryAfterSeconds"] = "7",
        });
        await Db.ExecuteAsync("""
            create function slow_calls() returns trigger language plpgsql as $$ begin perform pg_sleep(2); return new; end $$;
            create trigger slow_calls before insert on calls for each row execute function slow_calls();
            """);
        var first = limited.Client.SendAsync(Signed(Booked()));
        await Eventually.WaitForAsync(() => Db.ScalarAsync<long>("select count(*) from inbound_webhooks"), n => n == 1, what: "the first webhook to be processing");
        var second = await limited.Client.SendAsync(Signed(Booked(eventId: "evt_02", callId: "call_2", appointmentId: "apt_2")));
        var problem = await Json(second);
        Assert.Multiple(async () =>
        {
            Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(second.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(7)));
            Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("nothing was recorded"));
            Assert.That((await first).StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            Assert.That(await Db.ScalarAsync<long>("select count(*) from inbound_webhooks"), Is.EqualTo(1));
        });

        var retried = await limited.Client.SendAsync(Signed(Booked(eventId: "evt_02", callId: "call_2", appointmentId: "apt_2")));
        Assert.That(retried.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
    }

    [Test]
    public void Start_InvalidWebhookLimit_StopsNamingTheKey()
    {
        var ex = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(
            () => ApiHost.Start(Db, new() { ["FollowUp:Webhooks:MaxConcurrent"] = "0" }));
        Assert.That(ex!.Message, Does.Contain("FollowUp:Webhooks:MaxConcurrent must be between 1 and 1000 (was 0)"));
    }
}
