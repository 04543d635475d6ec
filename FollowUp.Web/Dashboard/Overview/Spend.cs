namespace FollowUp.Web.Dashboard.Overview;

/// <summary>Cost of sent messages in one currency (null: none).</summary>
internal sealed record Spend(string? Currency, decimal? Today, decimal? Month);
