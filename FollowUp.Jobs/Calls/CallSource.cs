namespace FollowUp.Jobs.Calls;

/// <summary>Where a journaled call webhook came from; says how its raw body is read again on replay.</summary>
public static class CallSource
{
    public const string FollowUp = "followup";
    public const string Retell = "retell";
    public const string TwilioVoice = "twilio_voice";
}
