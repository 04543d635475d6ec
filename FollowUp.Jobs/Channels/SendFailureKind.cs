namespace FollowUp.Jobs.Channels;

/// <summary>How a provider's refusal is handled.</summary>
public enum SendFailureKind
{
    /// <summary>Timeout, 5xx, 429 or a provider-side fault: fail over to the next provider, else retry.</summary>
    Transient,

    /// <summary>A recipient or content error (invalid number, opted out): no failover, no retry.</summary>
    Permanent,
}
