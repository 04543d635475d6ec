namespace FollowUp.Jobs.Channels.Email;

/// <summary>What an unsubscribe link's token turned out to be.</summary>
public enum UnsubscribeTokenStatus
{
    /// <summary>Ours, untouched and not expired: it names the client and the address.</summary>
    Valid,

    /// <summary>Ours and untouched, but past its expiry.</summary>
    Expired,

    /// <summary>Not base64url, tampered with, made with a key not in the ring, or not an unsubscribe token.</summary>
    Invalid,
}
