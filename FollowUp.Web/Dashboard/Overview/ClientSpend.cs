namespace FollowUp.Web.Dashboard.Overview;

/// <summary>
/// One client's spend this month (UTC): what the model cost for its AI-written follow-ups (USD, at the configured
/// token prices, counted whether or not the text was used), beside what its sent messages cost at the providers.
/// </summary>
internal sealed record ClientSpend(string ClientId, string ClientName, decimal ModelCost, long ModelCalls, long Rewritten,
    decimal? ProviderCost, string? ProviderCurrency);
