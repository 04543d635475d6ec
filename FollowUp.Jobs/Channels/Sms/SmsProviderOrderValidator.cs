using Microsoft.Extensions.Options;

namespace FollowUp.Jobs.Channels.Sms;

/// <summary>
/// <c>FollowUp:Sms:Providers</c> at start-up: each entry must name a registered SMS provider (twilio, vonage,
/// webhook, or one a host added), once, and one that is configured here — an order that names a provider
/// without its credentials would silently send through the others, or the sandbox. Each refusal names the key.
/// </summary>
internal sealed class SmsProviderOrderValidator(IServiceProvider services) : IValidateOptions<ChannelOptions>
{
    public ValidateOptionsResult Validate(string? name, ChannelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (name != Channel.Sms.Name)
        {
            return ValidateOptionsResult.Skip;
        }

        // Resolved here, not in the constructor: the providers' own options are validated (and may fail) first.
        var providers = ((IEnumerable<ISmsProvider>?)services.GetService(typeof(IEnumerable<ISmsProvider>)) ?? []).ToList();
        var known = string.Join(", ", providers.Select(p => p.Name).Distinct(StringComparer.Ordinal));
        var errors = new List<string>();
        for (var i = 0; i < options.Providers.Count; i++)
        {
            var entry = options.Providers[i];
            var key = $"FollowUp:Sms:Providers:{i}";
            var provider = providers.FirstOrDefault(p => string.Equals(p.Name, entry, StringComparison.OrdinalIgnoreCase));
            if (provider is null)
            {
                errors.Add($"{key} names '{entry}', which is not an SMS provider (one of {known}).");
            }
            else if (options.Providers.Take(i).Any(p => string.Equals(p, entry, StringComparison.OrdinalIgnoreCase)))
            {
                errors.Add($"{key} names '{entry}' a second time.");
            }
            else if (!provider.IsConfigured)
            {
                errors.Add($"{key} names '{entry}', which is not configured (give its settings, or leave it out of the order).");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
