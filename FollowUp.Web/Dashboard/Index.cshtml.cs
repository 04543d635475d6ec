using FollowUp.Web.Dashboard.Overview;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NodaTime;

namespace FollowUp.Web.Dashboard;

/// <summary>The overview: counts, charts, provider health, spend — all from small tables or narrow indexes.</summary>
internal sealed class IndexModel(OverviewQueries queries, FollowUp.Jobs.Engine.DeadLetters deadLetters, IClock clock,
    FollowUp.Jobs.Channels.ProviderBreakers breakers) : PageModel
{
    public StateCounts Counts { get; private set; } = new(new Dictionary<string, long>(), null);

    public Chart LastHour { get; private set; } = null!;

    public Chart LastTwoWeeks { get; private set; } = null!;

    public IReadOnlyList<ProviderHealth> Providers { get; private set; } = [];

    /// <summary>This node's circuit breakers, one per provider it has called.</summary>
    public IReadOnlyList<FollowUp.Jobs.Channels.BreakerState> Breakers => breakers.States();

    public IReadOnlyList<Spend> Spend { get; private set; } = [];

    public IReadOnlyList<ClientSpend> ClientSpend { get; private set; } = [];

    public long OpenDeadLetters { get; private set; }

    public FollowUp.Jobs.Messages.ReconcilerRun? Reconciler { get; private set; }

    public long RevivedToday { get; private set; }

    public long UnrevivableToday { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetCurrentInstant();
        Counts = await queries.CountsAsync(cancellationToken);
        LastHour = new Chart("Last hour per minute", await queries.SeriesAsync(now, perDay: false, cancellationToken), PerDay: false);
        LastTwoWeeks = new Chart("Last 14 days per day", await queries.SeriesAsync(now, perDay: true, cancellationToken), PerDay: true);
        Providers = await queries.ProvidersAsync(now, cancellationToken);
        Spend = await queries.SpendAsync(now, cancellationToken);
        ClientSpend = await queries.ClientSpendAsync(now, cancellationToken);
        OpenDeadLetters = await deadLetters.CountOpenAsync(cancellationToken);
        (Reconciler, RevivedToday, UnrevivableToday) = await queries.ReconcilerAsync(now, cancellationToken);
    }
}
