using System.Net;

namespace FollowUp.Jobs.Channels.Sms;

/// <summary>What <see cref="TwilioWire"/> saw of one send.</summary>
internal sealed class TwilioCall(CancellationToken cancellationToken)
{
    private int _status;
    private int _notSent;

    public CancellationToken CancellationToken { get; } = cancellationToken;

    /// <summary>The HTTP status Twilio answered with, or null when no answer came.</summary>
    public HttpStatusCode? Status => Volatile.Read(ref _status) is var s and > 0 ? (HttpStatusCode)s : null;

    /// <summary>False only when the request provably never left (no connection could be made).</summary>
    public bool MayHaveReachedTwilio => Volatile.Read(ref _notSent) == 0;

    public void Answered(HttpStatusCode status) => Volatile.Write(ref _status, (int)status);

    public void NotSent() => Volatile.Write(ref _notSent, 1);
}
