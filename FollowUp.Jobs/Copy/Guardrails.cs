using System.Text.RegularExpressions;
using FollowUp.Jobs.Channels.Sms;
using FollowUp.Jobs.Templates;

namespace FollowUp.Jobs.Copy;

/// <summary>
/// The checks a model's text passes before it replaces a template: the model's words are untrusted input (the
/// call's summary may have asked for anything). Each check is a small pure function returning null when the
/// text passes and why it fails otherwise; <see cref="Check"/> runs them all in <see cref="Names"/> order and
/// appends the marketing kinds' opt-out line itself.
/// </summary>
public static partial class Guardrails
{
    /// <summary>The most characters an email body may have.</summary>
    public const int MaxEmailChars = 4000;

    public const string Length = "length", Url = "url", Contact = "contact", FirstName = "first_name", PersonalData = "personal_data",
        BusinessName = "business_name", Placeholder = "placeholder", AppointmentTime = "appointment_time", OptOut = "opt_out";

    /// <summary>Every check, in the order they run.</summary>
    public static readonly string[] Names = [OptOut, Placeholder, Length, Url, Contact, FirstName, PersonalData, BusinessName, AppointmentTime];

    /// <summary>The text as the model wrote it, trimmed, checked; the body to send when every check passes.</summary>
    public static GuardrailVerdict Check(string text, GuardrailFacts facts)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(facts);
        text = text.Trim();
        var body = WithOptOut(text, facts);
        foreach (var name in Names)
        {
            var why = name switch
            {
                OptOut => OptOutProblem(text, facts),
                Placeholder => PlaceholderProblem(text),
                Length => LengthProblem(body, facts),
                Url => UrlProblem(text, facts),
                Contact => ContactProblem(text, facts),
                FirstName => FirstNameProblem(text, facts),
                PersonalData => PersonalDataProblem(text, facts),
                BusinessName => BusinessNameProblem(text, facts),
                AppointmentTime => AppointmentTimeProblem(text, facts),
                _ => throw new InvalidOperationException(name),
            };
            if (why is not null)
            {
                return new GuardrailVerdict(null, name, why);
            }
        }

        return new GuardrailVerdict(body, null, null);
    }

    /// <summary>A marketing SMS ends with our opt-out line; everything else is the text as written.</summary>
    public static string WithOptOut(string text, GuardrailFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        return facts.Marketing && facts.Channel == "sms" ? text + "\n" + MessageTemplate.OptOutSuffix : text;
    }

    /// <summary>The opt-out line is ours: a marketing text that writes its own (or any STOP/unsubscribe wording) is refused.</summary>
    public static string? OptOutProblem(string text, GuardrailFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        return facts.Marketing && OptOutWording().IsMatch(text) ? "writes opt-out wording itself; FollowUp appends the opt-out line" : null;
    }

    /// <summary>Nothing left to fill in: no {braces}, [brackets] or &lt;angle&gt; placeholders.</summary>
    public static string? PlaceholderProblem(string text) =>
        PlaceholderToken().Match(text) is { Success: true } m ? $"has an unresolved placeholder {m.Value}" : null;

    /// <summary>
    /// Within the client's <c>max_sms_chars</c> (the opt-out line included) and ⌈max_sms_chars / 160⌉ segments
    /// (320: two segments, so 306 GSM-7 characters or 134 UCS-2 ones); an email body within <see cref="MaxEmailChars"/>.
    /// </summary>
    public static string? LengthProblem(string body, GuardrailFacts facts)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(facts);
        if (body.Trim().Length == 0)
        {
            return "is empty";
        }

        if (facts.Channel == "email")
        {
            return body.Length > MaxEmailChars ? $"is {body.Length} characters; an email body may have {MaxEmailChars}" : null;
        }

        if (body.Length > facts.MaxSmsChars)
        {
            return $"is {body.Length} characters; the client allows {facts.MaxSmsChars}";
        }

        var allowed = (facts.MaxSmsChars + 159) / 160;
        var segments = SmsSegments.Count(body);
        return segments > allowed ? $"takes {segments} SMS segments; {facts.MaxSmsChars} characters allow {allowed}" : null;
    }

    /// <summary>No URL but the client's <c>booking_url</c>, exactly.</summary>
    public static string? UrlProblem(string text, GuardrailFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var withoutEmails = EmailAddress().Replace(text, " ");
        foreach (Match m in UrlToken().Matches(withoutEmails))
        {
            var url = m.Value.TrimEnd('.', ',', '!', '?', ';', ':', ')', '"', '\'');
            if (facts.BookingUrl is null || !SameUrl(url, facts.BookingUrl))
            {
                return $"has a link that is not the client's booking_url: {url}";
            }
        }

        return null;
    }

    /// <summary>No phone number but the client's own number, no email address but the client's own.</summary>
    public static string? ContactProblem(string text, GuardrailFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        foreach (Match m in EmailAddress().Matches(text))
        {
            if (!string.Equals(m.Value, facts.BusinessEmail, StringComparison.OrdinalIgnoreCase))
            {
                return $"has an email address that is not the business's: {m.Value}";
            }
        }

        var own = Digits(facts.BusinessPhone);
        foreach (Match m in PhoneLike().Matches(text))
        {
            var digits = Digits(m.Value);
            if (digits.Length < 7)
            {
                continue;
            }

            // The business's number written nationally ("(212) 555-0100") is its number too.
            if (own.Length == 0 || !(own == digits || own.EndsWith(digits, StringComparison.Ordinal) && digits.Length >= 10))
            {
                return $"has a phone number that is not the business's: {m.Value.Trim()}";
            }
        }

        return null;
    }

    /// <summary>The customer's first name at most once.</summary>
    public static string? FirstNameProblem(string text, GuardrailFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        if (string.IsNullOrWhiteSpace(facts.FirstName) || facts.FirstName == "there")
        {
            return null;
        }

        var count = Regex.Count(text, $@"(?<!\w){Regex.Escape(facts.FirstName)}(?!\w)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant,
            TimeSpan.FromSeconds(1));
        return count > 1 ? $"uses the customer's first name {count} times (at most once)" : null;
    }

    /// <summary>
    /// No other personal data: not the customer's other names, and no number from what the call said (a tooth,
    /// a date of birth, an amount, a policy number) that the template does not itself carry.
    /// </summary>
    public static string? PersonalDataProblem(string text, GuardrailFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var businessWords = Words(facts.BusinessName);
        foreach (var part in Words(facts.CustomerName).Skip(1))
        {
            if (part.Length >= 2 && !businessWords.Contains(part, StringComparer.OrdinalIgnoreCase) && HasWord(text, part))
            {
                return $"uses the customer's name beyond the first name ({part})";
            }
        }

        if (facts.CallContext is { } context)
        {
            var known = new HashSet<string>(Numbers().Matches(facts.Template + " " + facts.AppointmentTime).Select(n => n.Value), StringComparer.Ordinal);
            var written = new HashSet<string>(Numbers().Matches(text).Select(n => n.Value), StringComparer.Ordinal);
            foreach (Match n in Numbers().Matches(context))
            {
                if (n.Value.Length >= 2 && !known.Contains(n.Value) && written.Contains(n.Value))
                {
                    return $"repeats a number from the call ({n.Value}), which may be personal data";
                }
            }
        }

        return null;
    }

    /// <summary>The business's name, as the client spells it (any case).</summary>
    public static string? BusinessNameProblem(string text, GuardrailFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        return text.Contains(facts.BusinessName, StringComparison.OrdinalIgnoreCase) ? null : $"does not name the business ({facts.BusinessName})";
    }

    /// <summary>
    /// For a kind with an appointment: its date and time exactly as the template renders them, and no other time,
    /// weekday or date — the model rewords, it never reschedules.
    /// </summary>
    public static string? AppointmentTimeProblem(string text, GuardrailFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        if (facts.AppointmentTime is not { } time)
        {
            return null;
        }

        if (!text.Contains(time, StringComparison.Ordinal))
        {
            return $"does not give the appointment as \"{time}\"";
        }

        var rest = text.Replace(time, " ", StringComparison.Ordinal);
        return DateOrTime().Match(rest) is { Success: true } other ? $"mentions another date or time ({other.Value.Trim()})" : null;
    }

    private static bool SameUrl(string a, string b) =>
        string.Equals(a.TrimEnd('/'), b.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);

    private static string Digits(string? value) => value is null ? "" : string.Concat(value.Where(char.IsAsciiDigit));

    private static string[] Words(string? value) =>
        value is null ? [] : value.Split([' ', '-', '\t', '\n', '\r', '\''], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static bool HasWord(string text, string word) =>
        Regex.IsMatch(text, $@"(?<!\w){Regex.Escape(word)}(?!\w)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    [GeneratedRegex(@"\bSTOP\b|\breply\s+stop\b|\bopt[\s-]?out\b|\bunsubscribe\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex OptOutWording();

    [GeneratedRegex(@"\{[^{}]*\}|\{|\}|\[[^\[\]\n]{1,40}\]|<[^<>\n]{1,40}>")]
    private static partial Regex PlaceholderToken();

    [GeneratedRegex(@"(?:https?://|www\.)\S+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|io|co|us|uk|ca|de|fr|info|biz|me|ly|app|dev|link|site|xyz|example|shop|online)\b(?:/\S*)?",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex UrlToken();

    [GeneratedRegex(@"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")]
    private static partial Regex EmailAddress();

    [GeneratedRegex(@"\+?\(?\d[\d\s().-]{5,}\d")]
    private static partial Regex PhoneLike();

    [GeneratedRegex(@"\d+")]
    private static partial Regex Numbers();

    [GeneratedRegex(@"\b\d{1,2}(?::\d{2})?\s*(?:a\.?m\.?|p\.?m\.?)(?!\w)|\b\d{1,2}:\d{2}\b|\b\d{1,2}/\d{1,2}\b|\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|tonight)\b|\b(?:january|february|march|april|may|june|july|august|september|october|november|december)\s+\d{1,2}\b|\bnoon\b|\bmidnight\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DateOrTime();

}
