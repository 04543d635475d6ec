using FollowUp.Jobs.Clients;
using Microsoft.Extensions.DependencyInjection;

namespace FollowUp.Tests.Support;

/// <summary>Clients for tests, stored through the real store.</summary>
public static class TestClients
{
    public static readonly Dictionary<string, IReadOnlyList<string>> AlwaysOpen = new()
    {
        ["mon"] = ["00:00", "24:00"], ["tue"] = ["00:00", "24:00"], ["wed"] = ["00:00", "24:00"], ["thu"] = ["00:00", "24:00"],
        ["fri"] = ["00:00", "24:00"], ["sat"] = ["00:00", "24:00"], ["sun"] = ["00:00", "24:00"],
    };

    public static ClientSettings Acme(Func<ClientSettings, ClientSettings>? change = null)
    {
        var settings = new ClientSettings
        {
            Name = "Acme Dental",
            TimeZone = "America/New_York",
            BusinessHours = AlwaysOpen,
            WebhookSecret = "whsec_0123456789abcdef",
            SmsFrom = "+12125550100",
            // Quiet hours off, like the business hours above: tests that send marketing kinds on the real
            // clock must not depend on the hour they run at. The quiet-hours tests set their own window.
            RecipientHours = ["00:00", "24:00"],
            EmailFrom = "Acme Dental <hello@acme.example>",
        };
        return change is null ? settings : change(settings);
    }

    public static Task CreateAsync(IServiceProvider services, string id = "acme-dental", ClientSettings? settings = null) =>
        services.GetRequiredService<ClientStore>().UpsertAsync(id, settings ?? Acme(), CancellationToken.None);
}
