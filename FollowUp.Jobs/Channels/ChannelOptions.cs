namespace FollowUp.Jobs.Channels;

/// <summary>
/// Provider order per channel, from <c>FollowUp:Sms:Providers</c> and <c>FollowUp:Email:Providers</c>
/// (names such as <c>twilio</c>, <c>smtp</c>, <c>sendgrid</c>). Providers not named keep their
/// registration order after the named ones; unconfigured providers are skipped either way.
/// Default email order: SMTP first, SendGrid as the fallback.
/// </summary>
public sealed class ChannelOptions
{
    public List<string> Providers { get; set; } = [];

    /// <summary><paramref name="providers"/> in this order.</summary>
    public IReadOnlyList<T> Order<T>(IEnumerable<T> providers, Func<T, string> name)
    {
        var list = providers.ToList();
        return [.. list.OrderBy(p =>
        {
            var index = Providers.FindIndex(n => string.Equals(n, name(p), StringComparison.OrdinalIgnoreCase));
            return index < 0 ? Providers.Count + list.IndexOf(p) : index;
        })];
    }
}
