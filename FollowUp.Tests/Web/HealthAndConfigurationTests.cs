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
    public async Task Health_Ready_Answers503_WhileTheDatabaseIsCut_And200AgainAfter()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var factory = Factory(EngineHost.TestSettings(db.ConnectionString));
        using var client = factory.CreateClient();
        var ready = new Uri("/health/ready", UriKind.Relative);
        await Eventually.WaitForAsync(() => client.GetAsync(ready), r => r.StatusCode == HttpStatusCode.OK);

        await TestDatabase.CutAsync(db.Name);
        HttpResponseMessage whileCut;
        HttpResponseMessage live;
        try
        {
            whileCut = await Eventually.WaitForAsync(() => client.GetAsync(ready),
                r => r.StatusCode == HttpStatusCode.ServiceUnavailable, what: "503 while the database is cut");
            live = await client.GetAsync(new Uri("/health/live", UriKind.Relative));
        }
        finally
        {
            await TestDatabase.RestoreAsync(db.Name);
        }

        var after = await Eventually.WaitForAsync(() => client.GetAsync(ready), r => r.StatusCode == HttpStatusCode.OK, what: "ready again");
        Assert.Multiple(() =>
        {
            Assert.That(whileCut.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(live.StatusCode, Is.EqualTo(HttpStatusCode.OK), "liveness does not depend on the database");
            Assert.That(after.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
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
