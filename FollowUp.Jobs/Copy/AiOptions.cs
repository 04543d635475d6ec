using Microsoft.Extensions.Options;

namespace FollowUp.Jobs.Copy;

/// <summary>
/// <c>FollowUp:Ai</c>: Claude for AI-written follow-ups. With no <see cref="ApiKey"/> the feature is off for every
/// client (said once at start-up) and nothing calls out. The key is a secret: configuration only, never logged.
/// </summary>
public sealed class AiOptions
{
    public const string Section = "FollowUp:Ai";

    /// <summary>The Anthropic API key; absent: off.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The model asked (the Messages API's <c>model</c>).</summary>
    public string Model { get; set; } = "claude-haiku-4-5";

    /// <summary>
    /// How long one rewrite may take in all, the SDK's retries included (each HTTP attempt is bounded by it too);
    /// past it the template is kept with reason <c>timeout</c>.
    /// </summary>
    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>Retries of a 408, 409, 429 or 5xx (529 overloaded included) or a dropped connection, done by the SDK.</summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>The Messages API's base URL (tests and staging point it at a fake).</summary>
    public string BaseUrl { get; set; } = "https://api.anthropic.com";

    /// <summary>The most the deployment spends on the model in a calendar month (UTC), in USD; reached, no more calls until the next month.</summary>
    public decimal MonthlySpendCapUsd { get; set; } = 50m;

    /// <summary>The configured model's price per million input tokens, in USD (what a message's cost is computed with).</summary>
    public decimal InputUsdPerMillionTokens { get; set; } = 1m;

    /// <summary>The configured model's price per million output tokens, in USD.</summary>
    public decimal OutputUsdPerMillionTokens { get; set; } = 5m;

    /// <summary>Whether a key is configured: the feature's master switch.</summary>
    public bool Configured => !string.IsNullOrWhiteSpace(ApiKey);

    /// <summary>The cost of one call at the configured prices.</summary>
    public decimal CostOf(long inputTokens, long outputTokens) =>
        Math.Round((inputTokens * InputUsdPerMillionTokens + outputTokens * OutputUsdPerMillionTokens) / 1_000_000m, 6, MidpointRounding.AwayFromZero);

    internal sealed class Validator : IValidateOptions<AiOptions>
    {
        public ValidateOptionsResult Validate(string? name, AiOptions options)
        {
            var errors = new List<string>();
            OptionChecks.Range(errors, Section, nameof(TimeoutSeconds), options.TimeoutSeconds, 1, 120);
            OptionChecks.Range(errors, Section, nameof(MaxRetries), options.MaxRetries, 0, 5);
            if (string.IsNullOrWhiteSpace(options.Model) || options.Model.Length > 100)
            {
                errors.Add($"{Section}:Model must be a model name of at most 100 characters, such as claude-haiku-4-5.");
            }

            if (!Uri.TryCreate(options.BaseUrl, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http"))
            {
                errors.Add($"{Section}:BaseUrl must be an absolute http or https URL (was '{options.BaseUrl}').");
            }

            if (options.ApiKey is { } key && (key.Length < 8 || key.Any(char.IsWhiteSpace)))
            {
                // Never the key itself in the message.
                errors.Add($"{Section}:ApiKey must be at least 8 characters without spaces, or absent to turn AI-written follow-ups off.");
            }

            foreach (var (key2, value) in new[]
            {
                (nameof(MonthlySpendCapUsd), options.MonthlySpendCapUsd), (nameof(InputUsdPerMillionTokens), options.InputUsdPerMillionTokens),
                (nameof(OutputUsdPerMillionTokens), options.OutputUsdPerMillionTokens),
            })
            {
                if (value is < 0 or > 1_000_000)
                {
                    errors.Add($"{Section}:{key2} must be between 0 and 1000000 USD (was {value}).");
                }
            }

            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
