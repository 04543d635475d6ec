namespace FollowUp.Jobs.Channels.Sms;

/// <summary>How an SMS body travels on the wire, which decides how many characters fit in a segment.</summary>
public enum SmsEncoding
{
    /// <summary>GSM 03.38 7-bit default alphabet: 160 septets alone, 153 per segment when concatenated.</summary>
    Gsm7,

    /// <summary>UCS-2 (UTF-16 code units): 70 alone, 67 per segment when concatenated.</summary>
    Ucs2,
}
