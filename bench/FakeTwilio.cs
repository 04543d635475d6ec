using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FollowUp.Bench;

/// <summary>A local stand-in for Twilio's Messages API that accepts every message after a fixed delay.</summary>
internal sealed class FakeTwilio : IAsyncDisposable
{
    private readonly WebApplication _app;
    private long _received;

    private FakeTwilio(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    public long Received => Interlocked.Read(ref _received);

    public static async Task<FakeTwilio> StartAsync(TimeSpan delay)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        var fake = new FakeTwilio(app);
        app.MapPost("/2010-04-01/Accounts/{account}/Messages.json", async (HttpContext context, string account) =>
        {
            var form = await context.Request.ReadFormAsync();
            await Task.Delay(delay);
            Interlocked.Increment(ref fake._received);
            var sid = "SM" + Guid.NewGuid().ToString("N");
            context.Response.StatusCode = 201;
            await context.Response.WriteAsJsonAsync(new Dictionary<string, object?>
            {
                ["sid"] = sid, ["account_sid"] = account, ["to"] = form["To"].ToString(), ["from"] = form["From"].ToString(),
                ["body"] = form["Body"].ToString(), ["status"] = "queued", ["num_segments"] = "1", ["num_media"] = "0",
                ["direction"] = "outbound-api", ["api_version"] = "2010-04-01", ["price"] = null, ["price_unit"] = "USD",
                ["error_code"] = null, ["error_message"] = null,
                ["uri"] = $"/2010-04-01/Accounts/{account}/Messages/{sid}.json",
            });
        });
        await app.StartAsync();
        fake.BaseUrl = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return fake;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
