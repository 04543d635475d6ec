using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FollowUp.Jobs.Copy;

/// <summary>Says once at start-up whether AI-written follow-ups can run (never the key).</summary>
internal sealed class AiStartupNotice(IOptions<AiOptions> options, ILogger<AiStartupNotice> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var ai = options.Value;
        if (ai.Configured)
        {
            logger.LogInformation("AI-written follow-ups are available ({Model} at {BaseUrl}; monthly cap {Cap} USD) for clients that enable ai_copy",
                ai.Model, ai.BaseUrl, ai.MonthlySpendCapUsd);
        }
        else
        {
            logger.LogInformation("AI-written follow-ups are off: no {Key} is configured; every message is written by its template", $"{AiOptions.Section}:ApiKey");
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
