namespace FollowUp.Jobs.Channels;

/// <summary>What every provider of a channel has, whatever it sends: a name and whether it can send.</summary>
public interface IChannelProvider
{
    /// <summary>Stable lower-case name, used in configuration, receipts, rate limits and logs.</summary>
    string Name { get; }

    /// <summary>False when its credentials are not configured: the channel skips it.</summary>
    bool IsConfigured { get; }
}
