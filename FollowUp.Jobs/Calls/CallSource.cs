namespace FollowUp.Jobs.Calls;

/// <summary>Where a journaled call webhook came from; says how its raw body is read again on replay.</summary>
public static class CallSource
{
    public const string FollowUp = "followup";
    public const string Retell = "retell";
    public const string TwilioVoice = "twilio_voice";

    /// <summary>An appointment cancelled or moved over the API (<see cref="AppointmentActions"/>): the body is the call event it made.</summary>
    public const string Api = "api";
}
