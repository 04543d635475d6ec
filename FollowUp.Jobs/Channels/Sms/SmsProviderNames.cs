namespace FollowUp.Jobs.Channels.Sms;

/// <summary>The SMS providers FollowUp has, by the names provider orders use (global and per client).</summary>
public static class SmsProviderNames
{
    public const string Twilio = "twilio";

    public const string Webhook = WebhookRouteOptions.ProviderName;

    public const string Vonage = VonageOptions.ProviderName;

    /// <summary>Every SMS provider's name.</summary>
    public static IReadOnlyList<string> All { get; } = [Twilio, Vonage, Webhook];
}
