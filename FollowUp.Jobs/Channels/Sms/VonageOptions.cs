using Microsoft.Extensions.Options;

namespace FollowUp.Jobs.Channels.Sms;

/// <summary>
/// <c>FollowUp:Sms:Vonage</c>: Vonage's SMS API (<c>POST {BaseUrl}/sms/json</c>), the second carrier. With no
/// key and secret the provider is not configured and the channel skips it; a key without its secret (or a
/// sender) stops start-up instead, naming the key. Validated at start-up.
/// </summary>
public sealed class VonageOptions
{
    public const string Section = "FollowUp:Sms:Vonage";

    /// <summary>The provider's name (in provider orders, receipts and the message's <c>provider</c>).</summary>
    public const string ProviderName = "vonage";

    /// <summary>The account's API key (sent as <c>api_key</c>).</summary>
    public string? ApiKey { get; set; }

    /// <summary>The account's API secret (sent as <c>api_secret</c>). Never logged.</summary>
    public string? ApiSecret { get; set; }

    /// <summary>The sender when a client has no <c>sms_from</c>: an E.164 number, or an alphanumeric sender ID (1–11 letters and digits).</summary>
    public string? From { get; set; }

    /// <summary>Vonage's SMS host; tests and staging point it at a fake.</summary>
    public string BaseUrl { get; set; } = "https://rest.nexmo.com";

    /// <summary>
    /// The account's signature secret: delivery receipts are refused (401) unless signed with it. Without it
    /// the receipt webhook verifies nothing and so accepts nothing.
    /// </summary>
    public string? SignatureSecret { get; set; }

    /// <summary>The signing method chosen on the Vonage dashboard: <c>md5hash</c>, <c>md5</c>, <c>sha1</c>, <c>sha256</c> (default) or <c>sha512</c> (HMACs).</summary>
    public string SignatureMethod { get; set; } = VonageSignature.Sha256;

    /// <summary>How long one send may take before it is abandoned (a timeout may have been sent).</summary>
    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>
    /// After a send that may have reached Vonage (a timeout after the request went out, a dropped connection,
    /// a 5xx), how long the next attempt waits for Vonage's receipt before anything goes out again (10–3600 s):
    /// Vonage offers no lookup of a message by our reference, so its receipt is the only proof.
    /// </summary>
    public int ReceiptWaitSeconds { get; set; } = 300;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(ApiKey) && !string.IsNullOrWhiteSpace(ApiSecret) && !string.IsNullOrWhiteSpace(From);

    internal sealed class Validator : IValidateOptions<VonageOptions>
    {
        public ValidateOptionsResult Validate(string? name, VonageOptions options)
        {
            var errors = new List<string>();
            if (!Uri.TryCreate(options.BaseUrl, UriKind.Absolute, out var baseUrl)
                || (baseUrl.Scheme != Uri.UriSchemeHttp && baseUrl.Scheme != Uri.UriSchemeHttps))
            {
                errors.Add($"{Section}:BaseUrl must be an absolute http(s) URL (was '{options.BaseUrl}').");
            }

            OptionChecks.Range(errors, Section, nameof(TimeoutSeconds), options.TimeoutSeconds, 1, 300);
            OptionChecks.Range(errors, Section, nameof(ReceiptWaitSeconds), options.ReceiptWaitSeconds, 10, 3600);
            if (!VonageSignature.Methods.Contains(options.SignatureMethod))
            {
                errors.Add($"{Section}:SignatureMethod must be one of {string.Join(", ", VonageSignature.Methods)} (was '{options.SignatureMethod}').");
            }

            if (!string.IsNullOrWhiteSpace(options.From) && SenderProblem(options.From) is { } problem)
            {
                errors.Add($"{Section}:From {problem} (was '{options.From}').");
            }

            if (options.SignatureSecret is { Length: > 0 and < 16 })
            {
                // Echo no part of it: it is a secret.
                errors.Add($"{Section}:SignatureSecret must be at least 16 characters (Vonage's dashboard gives one this long).");
            }

            var anySet = !string.IsNullOrWhiteSpace(options.ApiKey) || !string.IsNullOrWhiteSpace(options.ApiSecret) || !string.IsNullOrWhiteSpace(options.From);
            if (anySet)
            {
                foreach (var (key, value) in new[] { (nameof(ApiKey), options.ApiKey), (nameof(ApiSecret), options.ApiSecret), (nameof(From), options.From) })
                {
                    if (string.IsNullOrWhiteSpace(value))
                    {
                        errors.Add($"{Section}:{key} is required when other Vonage settings are given.");
                    }
                }
            }

            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }

        /// <summary>A number as E.164, or an alphanumeric sender ID as Vonage takes one (at most 11 letters, digits and spaces, one letter at least).</summary>
        private static string? SenderProblem(string from)
        {
            if (from.StartsWith('+'))
            {
                return E164.ProblemWith(from);
            }

            return from.Length is >= 1 and <= 11 && from.All(c => char.IsAsciiLetterOrDigit(c) || c == ' ') && from.Any(char.IsAsciiLetter)
                ? null
                : "must be an E.164 number (+ and the country code) or an alphanumeric sender ID of 1–11 letters and digits";
        }
    }
}
