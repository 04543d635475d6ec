namespace FollowUp.Web.Dashboard.Alerts;

/// <summary>The alerts raised at the last check on this node, shown as a banner on every page.</summary>
internal sealed class AlertState
{
    private volatile IReadOnlyList<string> _current = [];

    public IReadOnlyList<string> Current => _current;

    internal void Set(IReadOnlyList<string> alerts) => _current = alerts;
}
