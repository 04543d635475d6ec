using FollowUp.Jobs.Channels.Email;
using FollowUp.Jobs.Channels.Sms;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FollowUp.Jobs.Channels;

/// <summary>Says at start-up, loudly, when a channel has no configured provider and so reaches nobody.</summary>
internal sealed class SandboxWarning(IEnumerable<ISmsProvider> sms, IEnumerable<IEmailProvider> email, ILogger<SandboxWarning> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!sms.Any(p => p.IsConfigured))
        {
            logger.LogWarning("No SMS provider is configured (FollowUp:Twilio): SMS go to the sandbox provider, recorded as sent and delivered to nobody");
        }

        if (!email.Any(p => p.IsConfigured))
        {
            logger.LogWarning("No email provider is configured (FollowUp:Smtp, FollowUp:SendGrid): email goes to the sandbox provider, recorded as sent and delivered to nobody");
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
