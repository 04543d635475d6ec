using System.Net;
using FollowUp.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Options;

namespace FollowUp.Tests.Web;

public sealed class HealthAndConfigurationTests
{
    private static WebApplicationFactory<Program> Factory(Dictionary<string, string?> settings) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            foreach (var (key, value) in settings)
            {
                b.UseSetting(key, value);
            }
        });

    [Test]
    public async Task Health_LiveAndReady_Answer200_WhenDatabaseWorkerAndSchedulerRun()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var factory = Factory(EngineHost.TestSettings(db.ConnectionString));
        using var client = factory.CreateClient();

        var live = await client.GetAsync(new Uri("/health/live", UriKind.Relative));
        var ready = await Eventually.WaitForAsync(() => client.GetAsync(new Uri("/health/ready", UriKind.Relative)),
            r => r.StatusCode == HttpStatusCode.OK, what: "ready");

        Assert.Multiple(() =>
        {
            Assert.That(live.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task Health_Ready_Answers503_WhenTheDatabaseIsGone()
    {
        var db = await TestDatabase.CreateAsync();
        await using var factory = Factory(EngineHost.TestSettings(db.ConnectionString));
        using var client = factory.CreateClient();
        await Eventually.WaitForAsync(() => client.GetAsync(new Uri("/health/ready", UriKind.Relative)), r => r.StatusCode == HttpStatusCode.OK);

        await db.DisposeAsync(); // drops the database under the running app

        var ready = await Eventually.WaitForAsync(() => client.GetAsync(new Uri("/health/ready", UriKind.Relative)),
            r => r.StatusCode == HttpStatusCode.ServiceUnavailable, what: "503");
        var live = await client.GetAsync(new Uri("/health/live", UriKind.Relative));
        Assert.That(live.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task InvalidSetting_StopsStartUp_NamingTheKey()
    {
        await using var db = await TestDatabase.CreateAsync();
        var settings = EngineHost.TestSettings(db.ConnectionString);
        settings["FollowUp:Retry:Attempts"] = "0";
        await using var factory = Factory(settings);

        var ex = Assert.Throws<OptionsValidationException>(() => factory.CreateClient());
        Assert.That(ex!.Message, Does.Contain("FollowUp:Retry:Attempts"));
    }

    [Test]
    public void MissingConnectionString_StopsStartUp_NamingTheKey()
    {
        using var factory = Factory(new() { ["ConnectionStrings:FollowUp"] = "" });

        var ex = Assert.Throws<OptionsValidationException>(() => factory.CreateClient());
        Assert.That(ex!.Message, Does.Contain("ConnectionStrings:FollowUp"));
    }
}
