namespace FollowUp.Jobs.Engine;

/// <summary>This process's node id: host, pid and a random suffix, unique across restarts.</summary>
public sealed class NodeIdentity
{
    public NodeIdentity()
    {
        Host = Environment.MachineName;
        Pid = Environment.ProcessId;
        Id = $"{Host}:{Pid}:{Guid.NewGuid().ToString("N")[..6]}";
    }

    /// <summary>The node id written on claims and history rows.</summary>
    public string Id { get; }

    public string Host { get; }

    public int Pid { get; }

    public override string ToString() => Id;
}
