namespace FollowUp.Web.Dashboard.Compose;

/// <summary>A client to send from.</summary>
internal sealed record ClientOption(string Id, string Name);
