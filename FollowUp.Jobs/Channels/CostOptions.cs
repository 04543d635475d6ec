using Microsoft.Extensions.Options;

namespace FollowUp.Jobs.Channels;

/// <summary>
/// Cost estimates, from <c>FollowUp:Costs</c>, used when a provider reports no price: SMS per segment,
/// email per message. A provider's reported price (Twilio's <c>price</c>) replaces the estimate.
/// </summary>
public sealed class CostOptions
{
    public const string Section = "FollowUp:Costs";

    public decimal SmsPerSegment { get; set; } = 0.0083m;

    public decimal EmailPerMessage { get; set; } = 0.001m;

    /// <summary>ISO 4217 code of the estimates.</summary>
    public string Currency { get; set; } = "USD";

    /// <summary>
    /// What a send cost: the provider's price when it reported one, nothing for the sandbox (it reaches
    /// nobody), else <paramref name="estimate"/> in <see cref="Currency"/>.
    /// </summary>
    internal (decimal Cost, string Currency) Charge(ProviderReceipt receipt, decimal estimate) => receipt switch
    {
        { Price: { } price } => (price, receipt.PriceCurrency ?? Currency),
        { Provider: "sandbox" } => (0m, Currency),
        _ => (estimate, Currency),
    };

    internal sealed class Validator : IValidateOptions<CostOptions>
    {
        public ValidateOptionsResult Validate(string? name, CostOptions options)
        {
            var errors = new List<string>();
            if (options.SmsPerSegment < 0)
            {
                errors.Add($"{Section}:SmsPerSegment must not be negative.");
            }

            if (options.EmailPerMessage < 0)
            {
                errors.Add($"{Section}:EmailPerMessage must not be negative.");
            }

            if (options.Currency is not { Length: 3 } || !options.Currency.All(char.IsAsciiLetterUpper))
            {
                errors.Add($"{Section}:Currency must be a three-letter ISO 4217 code such as USD.");
            }

            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
