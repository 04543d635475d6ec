using System.Net;
using FollowUp.Tests.Support;
using FollowUp.Web.Dashboard.Access;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;

namespace FollowUp.Tests.Dashboard;

/// <summary>The live counters' stream (/dashboard/live): capped per user and per node, and ended for a user who may no longer see it.</summary>
public sealed class LiveStreamTests
{
    private const string Password = "operator-password-1";

    /// <summary>Generous: a stream that does not end never ends; one that does ends within a few seconds here.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(45);

    [Test]
    public async Task Live_BeyondThePerUserAndPerNodeCaps_429_AndAClosedStreamFreesItsPlace()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var host = DashboardHost.Start(db, new()
        {
            ["FollowUp:Dashboard:LiveStreamsPerUser"] = "1", ["FollowUp:Dashboard:LiveStreamsTotal"] = "2",
        });
        await host.AddUserAsync("olga", Password, DashboardRoles.Operator);
        await host.AddUserAsync("otto", Password, DashboardRoles.Operator);
        using var admin = await SignedInAsync(host, "admin", DashboardHost.AdminPassword);
        using var olga = await SignedInAsync(host, "olga", Password);
        using var otto = await SignedInAsync(host, "otto", Password);

        var adminFirst = await OpenAsync(admin);
        using var adminSecond = await OpenAsync(admin);
        using var olgaFirst = await OpenAsync(olga);
        using var ottoFirst = await OpenAsync(otto);

        Assert.Multiple(async () =>
        {
            Assert.That(adminFirst.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(adminSecond.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
            Assert.That(await adminSecond.Content.ReadAsStringAsync(), Does.Contain("You already have 1 live streams open on this node"));
            Assert.That(olgaFirst.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(ottoFirst.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
            Assert.That(await ottoFirst.Content.ReadAsStringAsync(), Does.Contain("This node already serves 2 live streams"));
        });

        // The browser goes away: the server notices at its next write (within 2 s) and gives the place back.
        adminFirst.Dispose();
        var again = await Eventually.WaitForAsync(() => OpenAsync(admin), r => r.StatusCode == HttpStatusCode.OK, what: "the closed stream's place");
        again.Dispose();
    }

    [Test]
    public async Task Live_UserDisabledWhileStreaming_StreamEnds()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var host = DashboardHost.Start(db, new() { ["FollowUp:Dashboard:LiveRecheckSeconds"] = "1" });
        await host.AddUserAsync("olga", Password, DashboardRoles.Operator);
        using var olga = await SignedInAsync(host, "olga", Password);
        using var stream = await OpenAsync(olga);
        Assert.That(stream.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        await host.Services.GetRequiredService<DashboardUsers>().UpdateAsync("olga", DashboardRoles.Operator, disabled: true, CancellationToken.None);

        using var patience = new CancellationTokenSource(Patience);
        var body = await stream.Content.ReadAsStringAsync(patience.Token);
        Assert.That(body, Does.Contain("event: counters"), "it streamed, then ended");
    }

    [Test]
    public async Task Live_SessionExpiresWhileStreaming_StreamEnds()
    {
        await using var db = await TestDatabase.CreateAsync();
        // The stream reads the time from IClock; the cookie (1 minute idle) from the real clock.
        var clock = new FakeClock(SystemClock.Instance.GetCurrentInstant());
        await using var host = DashboardHost.Start(db, new() { ["FollowUp:Dashboard:IdleMinutes"] = "1" },
            s => s.AddSingleton<IClock>(clock));
        using var admin = await SignedInAsync(host, "admin", DashboardHost.AdminPassword);
        using var stream = await OpenAsync(admin);
        Assert.That(stream.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        clock.Advance(Duration.FromMinutes(2));

        using var patience = new CancellationTokenSource(Patience);
        var body = await stream.Content.ReadAsStringAsync(patience.Token);
        Assert.That(body, Does.Contain("event: counters"), "it streamed, then ended");
    }

    private static async Task<DashboardClient> SignedInAsync(DashboardHost host, string name, string password)
    {
        var client = DashboardClient.For(host.BaseAddress);
        using var response = await client.SignInAsync(name, password);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), $"{name} signed in");
        return client;
    }

    private static Task<HttpResponseMessage> OpenAsync(DashboardClient client) =>
        client.Http.GetAsync(new Uri("/dashboard/live", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
}
