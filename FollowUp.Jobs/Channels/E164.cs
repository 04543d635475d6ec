using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using NodaTime;
using PhoneNumbers;

namespace FollowUp.Jobs.Channels;

/// <summary>
/// Phone numbers, for every place that takes one (webhooks, the API, clients' senders, configuration,
/// inbound SMS): parsed, validated and formatted to E.164 by libphonenumber, and the time zones a number
/// belongs to. Named for the format, not <c>PhoneNumber</c>, which is libphonenumber's own type.
/// </summary>
/// <remarks>
/// Only international input is accepted: a leading <c>+</c> and the country code, then the number in
/// any common punctuation ("+1 (212) 555-0123" becomes "+12125550123"). A national number without its
/// country code ("(212) 555-0123") is refused rather than guessed at: the contract says phones are E.164,
/// and one client's customers may be in several countries. A number must be valid for its country
/// (libphonenumber's metadata: the +1 555 area code, for one, is not), and may not carry an extension
/// (an SMS cannot dial one).
/// </remarks>
public static class E164
{
    /// <summary>What a problem message's example shows.</summary>
    public const string Example = "+12125550123";

    private const string Unknown = "Etc/Unknown";

    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();

    private static readonly PhoneNumberToTimeZonesMapper ZoneMapper = PhoneNumberToTimeZonesMapper.GetInstance();

    private static readonly SearchValues<char> DigitsAndPunctuation = SearchValues.Create("0123456789 -.()");

    /// <summary>
    /// <paramref name="value"/> as E.164, or why it is not a phone number we accept, in words that
    /// follow a field's name: "is not a valid number for region US", "is too short",
    /// "must start with + and the country code, such as +12125550123".
    /// </summary>
    public static bool TryNormalize(string? value, [NotNullWhen(true)] out string? e164, [NotNullWhen(false)] out string? problem)
    {
        e164 = null;
        problem = Problem(value, out var number);
        if (problem is not null)
        {
            return false;
        }

        e164 = Util.Format(number!, PhoneNumberFormat.E164);
        return true;
    }

    /// <summary>True when <paramref name="value"/> is a phone number we accept (see <see cref="TryNormalize"/>).</summary>
    public static bool IsValid(string? value) => Problem(value, out _) is null;

    /// <summary>Why <paramref name="value"/> is not accepted, or null when it is.</summary>
    public static string? ProblemWith(string? value) => Problem(value, out _);

    /// <summary><paramref name="value"/> as E.164.</summary>
    /// <exception cref="ArgumentException">It is not a number we accept; the message says why.</exception>
    public static string Normalize(string? value) =>
        TryNormalize(value, out var e164, out var problem) ? e164 : throw new ArgumentException($"'{value}' {problem}.", nameof(value));

    /// <summary>
    /// <paramref name="value"/> as E.164 when it is a number we accept, else as it came (trimmed): for
    /// what others send us and we only record or match, such as an inbound SMS from a short code.
    /// </summary>
    public static string NormalizeOrKeep(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return TryNormalize(value, out var e164, out _) ? e164 : value.Trim();
    }

    /// <summary>The ISO 3166 region the number belongs to ("US", "GB"), or null when it is not a number we accept or has no single region.</summary>
    public static string? RegionOf(string? value) =>
        Problem(value, out var number) is null && Util.GetRegionCodeForNumber(number!) is { Length: 2 } region && region != "ZZ" ? region : null;

    /// <summary>True for a premium-rate or shared-cost number (US +1 900, UK +44 90x…), which a text to may cost far more than a text.</summary>
    public static bool IsPremiumRate(string? value) =>
        Problem(value, out var number) is null && Util.GetNumberType(number!) is PhoneNumberType.PREMIUM_RATE or PhoneNumberType.SHARED_COST;

    /// <summary>True when <paramref name="region"/> is a region code libphonenumber knows ("US", "CA").</summary>
    public static bool IsKnownRegion(string? region) => region is not null && Util.GetSupportedRegions().Contains(region);

    /// <summary>
    /// The IANA zones the number is in, from libphonenumber's prefix map (a New York number: one zone; an
    /// Idaho +1 208 number: America/Boise and America/Los_Angeles; a toll-free number: every zone its
    /// country code covers). Empty when the number is not valid or the map does not know it; zones NodaTime's TZDB
    /// lacks are left out.
    /// </summary>
    public static IReadOnlyList<DateTimeZone> TimeZonesOf(string? value)
    {
        if (Problem(value, out var number) is not null)
        {
            return [];
        }

        return ZoneMapper.GetTimeZonesForNumber(number!)
            .Where(id => id != Unknown)
            .Select(id => DateTimeZoneProviders.Tzdb.GetZoneOrNull(id))
            .OfType<DateTimeZone>()
            .Distinct()
            .ToArray();
    }

    private static string? Problem(string? value, out PhoneNumber? number)
    {
        number = null;
        var text = value?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return "is required";
        }

        if (text[0] != '+' && text[0] != '\uFF0B')
        {
            return $"must start with + and the country code, such as {Example}";
        }

        try
        {
            // No default region: with the leading + the number names its own country.
            number = Util.Parse(text, null);
        }
        catch (NumberParseException ex)
        {
            return ex.ErrorType switch
            {
                ErrorType.INVALID_COUNTRY_CODE => "does not start with a known country code after the +",
                ErrorType.TOO_SHORT_AFTER_IDD or ErrorType.TOO_SHORT_NSN => "is too short",
                ErrorType.TOO_LONG => "is too long",
                // Fewer than three digits reads as "not a number" to the library; to a person it is short.
                ErrorType.NOT_A_NUMBER when text.AsSpan(1).IndexOfAnyExcept(DigitsAndPunctuation) < 0 => "is too short",
                _ => "is not a phone number",
            };
        }

        var country = "+" + number.CountryCode.ToString(CultureInfo.InvariantCulture);
        switch (Util.IsPossibleNumberWithReason(number))
        {
            case PhoneNumberUtil.ValidationResult.TOO_SHORT:
            case PhoneNumberUtil.ValidationResult.IS_POSSIBLE_LOCAL_ONLY:
                return $"is too short for country code {country}";
            case PhoneNumberUtil.ValidationResult.TOO_LONG:
                return $"is too long for country code {country}";
            case PhoneNumberUtil.ValidationResult.INVALID_LENGTH:
                return $"has the wrong number of digits for country code {country}";
            case PhoneNumberUtil.ValidationResult.INVALID_COUNTRY_CODE:
                return "does not start with a known country code after the +";
        }

        if (!Util.IsValidNumber(number))
        {
            var region = Util.GetRegionCodeForCountryCode(number.CountryCode);
            return region is "ZZ" or "001"
                ? $"is not a valid number for country code {country}"
                : $"is not a valid number for region {region}";
        }

        if (number.HasExtension)
        {
            return "must not have an extension";
        }

        return null;
    }
}
