namespace FollowUp.Jobs.Templates;

/// <summary>
/// What a message is for. Marketing kinds obey business hours, the recipient's hours (quiet hours in the
/// recipient's zone) and the daily limit.
/// </summary>
public static class MessageKind
{
    public const string Confirmation = "confirmation";
    public const string Reminder24h = "reminder_24h";
    public const string Reminder1h = "reminder_1h";
    public const string NurtureDay1 = "nurture_day1";
    public const string NurtureDay4 = "nurture_day4";
    public const string Cancellation = "cancellation";
    public const string MissedCall = "missed_call";
    public const string AdHoc = "adhoc";

    /// <summary>Staff answering a customer from the conversation: transactional, like ad-hoc.</summary>
    public const string Reply = "reply";

    public static bool IsMarketing(string kind) => kind is NurtureDay1 or NurtureDay4 or MissedCall;

    /// <summary>Kinds a person is waiting for right after the call: sent from Hangfire's <c>critical</c> queue.</summary>
    public static bool IsUrgent(string kind) => kind is Confirmation or Cancellation or MissedCall or AdHoc or Reply;
}
