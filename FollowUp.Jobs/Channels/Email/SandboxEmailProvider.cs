namespace FollowUp.Jobs.Channels.Email;

/// <summary>The email provider when none is configured: accepts every message and reaches nobody.</summary>
internal sealed class SandboxEmailProvider : IEmailProvider
{
    public string Name => "sandbox";

    public bool IsConfigured => true;

    public Task<ProviderReceipt> SendAsync(EmailRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(new ProviderReceipt(Name, request.MessageId, "accepted"));
}
