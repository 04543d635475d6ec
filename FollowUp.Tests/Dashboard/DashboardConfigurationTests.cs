using FollowUp.Tests.Support;
using FollowUp.Web.Dashboard;
using FollowUp.Web.Dashboard.Access;
using FollowUp.Web.Dashboard.Alerts;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FollowUp.Tests.Dashboard;

/// <summary>Dashboard and alert settings are validated at start-up, each problem naming its key.</summary>
public sealed class DashboardConfigurationTests
{
    [Test]
    public async Task InvalidAlertContact_StopsStartUp_NamingTheKey()
    {
        await using var db = await TestDatabase.CreateAsync();

        var ex = Assert.Throws<OptionsValidationException>(() => ApiHost.Start(db, new()
        {
            ["FollowUp:Dashboard:Alerts:Contacts:0"] = "555-0100",
        }));

        Assert.That(ex!.Message, Does.Contain("FollowUp:Dashboard:Alerts:Contacts:0 must be a phone number (+ and the country code) or an email address, not '555-0100'.")
            .And.Contain("FollowUp:Dashboard:Alerts:ClientId is required"));
    }

    [Test]
    public void AlertOptions_ContactNumberNotValid_NamedWithTheReason_AFormattedOneIsFine()
    {
        var result = new AlertOptions.Validator().Validate(null, new AlertOptions
        {
            ClientId = "acme-dental", Contacts = ["+1 555 010 0999", "+1 (212) 555-0109", "ops@acme.example"],
        });

        Assert.That(result.Failures, Is.EqualTo(new[]
        {
            "FollowUp:Dashboard:Alerts:Contacts:0 is not a valid number for region US (was '+1 555 010 0999').",
        }));
    }

    [Test]
    public async Task IdleMinutes_BecomesTheCookiesSlidingExpiry()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var host = ApiHost.Start(db, new() { ["FollowUp:Dashboard:IdleMinutes"] = "7" });

        var cookie = host.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(DashboardServiceCollectionExtensions.Scheme);

        Assert.Multiple(() =>
        {
            Assert.That(cookie.ExpireTimeSpan, Is.EqualTo(TimeSpan.FromMinutes(7)));
            Assert.That(cookie.SlidingExpiration, Is.True);
            Assert.That(cookie.Cookie.HttpOnly, Is.True);
            Assert.That(cookie.Cookie.SameSite, Is.EqualTo(Microsoft.AspNetCore.Http.SameSiteMode.Strict));
        });
    }

    [Test]
    public void DashboardOptions_ShortPasswordAndBadNumbers_EachNamed()
    {
        var result = new DashboardOptions.Validator().Validate(null, new DashboardOptions
        {
            AdminPassword = "short", IdleMinutes = 0, LockoutAttempts = 0, LockoutMinutes = 2_000,
        });

        Assert.That(result.Failures, Is.EqualTo(new[]
        {
            "FollowUp:Dashboard:AdminPassword must be at least 12 characters (environment: FollowUp__Dashboard__AdminPassword).",
            "FollowUp:Dashboard:IdleMinutes must be between 1 and 1440 (was 0).",
            "FollowUp:Dashboard:LockoutAttempts must be between 1 and 100 (was 0).",
            "FollowUp:Dashboard:LockoutMinutes must be between 1 and 1440 (was 2000).",
        }));
    }

    [Test]
    public void AlertOptions_Defaults_AreValid()
    {
        Assert.That(new AlertOptions.Validator().Validate(null, new AlertOptions()).Succeeded, Is.True);
    }

    [Test]
    public void AlertOptions_NegativeThresholdAndZeroWindow_EachNamed()
    {
        var result = new AlertOptions.Validator().Validate(null, new AlertOptions { DeadLetterThreshold = -1, WindowMinutes = 0 });

        Assert.That(result.Failures, Is.EqualTo(new[]
        {
            "FollowUp:Dashboard:Alerts:DeadLetterThreshold must be between 0 and 1000000 (was -1).",
            "FollowUp:Dashboard:Alerts:WindowMinutes must be between 1 and 1440 (was 0).",
        }));
    }

    [Test]
    public void AlertOptions_UndeliveredRateOutOfRange_EachNamed()
    {
        var result = new AlertOptions.Validator().Validate(null, new AlertOptions { UndeliveredRatePercent = 101, UndeliveredMinimum = 0, UndeliveredWindowMinutes = 0 });

        Assert.That(result.Failures, Is.EqualTo(new[]
        {
            "FollowUp:Dashboard:Alerts:UndeliveredRatePercent must be between 0 and 100 (was 101).",
            "FollowUp:Dashboard:Alerts:UndeliveredMinimum must be between 1 and 1000000 (was 0).",
            "FollowUp:Dashboard:Alerts:UndeliveredWindowMinutes must be between 1 and 10080 (was 0).",
        }));
    }
}
