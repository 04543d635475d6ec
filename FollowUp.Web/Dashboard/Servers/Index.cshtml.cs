using Dapper;
using FollowUp.Jobs.Engine;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using Npgsql;
using NodaTime;

namespace FollowUp.Web.Dashboard.Servers;

/// <summary>Engine nodes: heartbeat, in-flight jobs, and the Processing jobs each holds.</summary>
internal sealed class IndexModel(NpgsqlDataSource dataSource, IOptions<EngineOptions> engine, IClock clock) : PageModel
{
    // The Processing count is served by the partial index jobs_processing_lease.
    private const string NodesSql = """
        select n.id, n.host, n.pid, n.started_at, n.heartbeat_at, n.in_flight, n.stopped_at, coalesce(p.count, 0) as processing
        from engine_nodes n
        left join (select node, count(*) as count from jobs where state = 'Processing' group by node) p on p.node = n.id
        order by n.stopped_at nulls first, n.heartbeat_at desc
        """;

    public IReadOnlyList<EngineNode> Nodes { get; private set; } = [];

    public Instant Now { get; private set; }

    public Duration Silence => Duration.FromSeconds(engine.Value.LeaseSeconds);

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Now = clock.GetCurrentInstant();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        Nodes = (await connection.QueryAsync<EngineNode>(new CommandDefinition(NodesSql, cancellationToken: cancellationToken))).AsList();
    }
}
