namespace FollowUp.Jobs.Channels.Sms;

/// <summary>
/// The SMS provider when none is configured: accepts every message and reaches nobody. The message is
/// recorded as sent (provider "sandbox") so the whole pipeline can be watched without credentials.
/// </summary>
internal sealed class SandboxSmsProvider : ISmsProvider
{
    public string Name => "sandbox";

    public bool IsConfigured => true;

    public Task<ProviderReceipt> SendAsync(SmsRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(new ProviderReceipt(Name, "SBX" + Guid.NewGuid().ToString("N"), "sent"));
}
