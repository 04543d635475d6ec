namespace FollowUp.Jobs.Copy;

/// <summary>Why a message kept its template, as recorded in <c>messages.ai_kept_reason</c> (a guardrail's is <c>guardrail:&lt;name&gt;</c>).</summary>
public static class KeptReasons
{
    /// <summary>The model did not answer within <c>FollowUp:Ai:TimeoutSeconds</c> (or before the message was due).</summary>
    public const string Timeout = "timeout";

    /// <summary>This month's model spend reached <c>FollowUp:Ai:MonthlySpendCapUsd</c>; the model was not called.</summary>
    public const string SpendCap = "spend cap";

    /// <summary>The model's call failed (after the SDK's retries): <c>error: &lt;type&gt;</c>.</summary>
    public const string Error = "error";

    /// <summary>The text passed, but the message was due, sending or cancelled before it could replace the template.</summary>
    public const string TooLate = "too late";

    /// <summary>An operator put the template back: <c>reverted by &lt;user&gt;</c>.</summary>
    public const string Reverted = "reverted";
}
