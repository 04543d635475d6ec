namespace FollowUp.Jobs;

/// <summary>
/// The checks every options validator shares, with one wording: the message names the key as it is
/// configured ("FollowUp:Retry:Attempts"), the allowed range, and the value found.
/// </summary>
public static class OptionChecks
{
    /// <summary>Adds an error when <paramref name="value"/> is outside [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static void Range(List<string> errors, string section, string key, int value, int min, int max)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (value < min || value > max)
        {
            errors.Add($"{section}:{key} must be between {min} and {max} (was {value}).");
        }
    }
}
