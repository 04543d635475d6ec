using NodaTime;

namespace FollowUp.Web.Dashboard.Servers;

/// <summary>A row of <c>engine_nodes</c>, with the jobs it holds in Processing now.</summary>
internal sealed record EngineNode(
    string Id, string Host, int Pid, Instant StartedAt, Instant HeartbeatAt, int InFlight, Instant? StoppedAt, long Processing);
