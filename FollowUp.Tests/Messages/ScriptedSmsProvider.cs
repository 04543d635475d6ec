using System.Collections.Concurrent;
using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Channels.Sms;

namespace FollowUp.Tests.Messages;

/// <summary>
/// A test double at the <see cref="ISmsProvider"/> port (a true port: the provider boundary), used
/// to drive failover and retry paths; the Twilio adapter itself is tested at its wire.
/// </summary>
public sealed class ScriptedSmsProvider(string name) : ISmsProvider
{
    private readonly ConcurrentQueue<Func<SmsRequest, ProviderReceipt>> _script = new();

    public string Name => name;

    public bool IsConfigured => true;

    public ConcurrentQueue<SmsRequest> Calls { get; } = new();

    /// <summary>What to do when the script is empty: accept.</summary>
    public Func<SmsRequest, ProviderReceipt> Otherwise { get; set; } = r => new ProviderReceipt(name, $"{name}-{Guid.NewGuid():N}", "queued", 1);

    public ScriptedSmsProvider Then(Func<SmsRequest, ProviderReceipt> step)
    {
        _script.Enqueue(step);
        return this;
    }

    public ScriptedSmsProvider ThenFail(SendFailureKind kind, string code = "500", bool mayHaveBeenSent = false) =>
        Then(_ => throw new ProviderSendException(name, kind, $"{name} refused ({code})", code, mayHaveBeenSent));

    public Task<ProviderReceipt> SendAsync(SmsRequest request, CancellationToken cancellationToken)
    {
        Calls.Enqueue(request);
        var step = _script.TryDequeue(out var next) ? next : Otherwise;
        return Task.FromResult(step(request));
    }
}
