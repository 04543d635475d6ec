using Microsoft.Extensions.Options;

namespace FollowUp.Jobs.Storage;

/// <summary>The Data Protection key ring, from <c>FollowUp:DataProtection</c>.</summary>
public sealed class KeyRingOptions
{
    public const string Section = "FollowUp:DataProtection";

    /// <summary>
    /// How long a key is the one new secrets and cookies are encrypted with; a new key is made (and
    /// shared through the database) before it runs out. Old keys stay in the ring, so what they
    /// encrypted still opens; stored secrets are re-encrypted with the current key at the next start-up.
    /// Data Protection refuses less than 7 days.
    /// </summary>
    public int KeyLifetimeDays { get; set; } = 90;

    internal sealed class Validator : IValidateOptions<KeyRingOptions>
    {
        public ValidateOptionsResult Validate(string? name, KeyRingOptions options)
        {
            var errors = new List<string>();
            OptionChecks.Range(errors, Section, nameof(KeyLifetimeDays), options.KeyLifetimeDays, 7, 3_650);
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
