using FollowUp.Jobs.Engine;

namespace FollowUp.Jobs.Channels;

/// <summary>
/// A provider did not accept a message. <see cref="Kind"/> decides failover and retry;
/// <see cref="MayHaveBeenSent"/> is true when the provider may have accepted it before failing
/// (a 5xx or a timeout after the request was written), which the send job records in history.
/// A permanent failure says so through <see cref="IClassifiedFailure"/>, so the engine dead-letters it
/// without spending the remaining attempts; a transient one is retried.
/// </summary>
public sealed class ProviderSendException : Exception, IClassifiedFailure
{
    public ProviderSendException()
    {
        Provider = "";
    }

    public ProviderSendException(string message)
        : base(message)
    {
        Provider = "";
    }

    public ProviderSendException(string message, Exception innerException)
        : base(message, innerException)
    {
        Provider = "";
    }

    public ProviderSendException(
        string provider, SendFailureKind kind, string message, string? errorCode = null,
        bool mayHaveBeenSent = false, Exception? innerException = null)
        : base(message, innerException)
    {
        Provider = provider;
        Kind = kind;
        ErrorCode = errorCode;
        MayHaveBeenSent = mayHaveBeenSent;
    }

    /// <summary>The provider's name (for example <c>twilio</c>).</summary>
    public string Provider { get; }

    public SendFailureKind Kind { get; }

    /// <summary>The provider's own error code, when it gave one (Twilio 21211, HTTP 429, …).</summary>
    public string? ErrorCode { get; }

    public bool MayHaveBeenSent { get; }

    /// <inheritdoc />
    public bool IsPermanent => Kind == SendFailureKind.Permanent;
}
