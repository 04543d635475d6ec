using Microsoft.Extensions.Logging;

namespace FollowUp.Jobs.Channels;

/// <summary>
/// Tries a channel's configured providers in order: on a transient failure the next one is tried, on
/// a permanent one (the recipient or content is wrong) nobody else is; the last transient failure is
/// rethrown for the engine's retry. A failure that may have been sent (a 5xx, a timeout after the
/// request went out, a connection lost after SMTP DATA) is not failed over either: the next provider
/// would deliver a second copy for certain, while the retry, a minute later, first finds out whether
/// the first one went. With no provider configured the sandbox is used.
/// </summary>
internal static class ProviderChain
{
    public static async Task<ProviderReceipt> SendAsync<TProvider>(
        IReadOnlyList<TProvider> configured, TProvider sandbox, Func<TProvider, string> name,
        Func<TProvider, CancellationToken, Task<ProviderReceipt>> send,
        Func<string, ProviderSendException, Task> onFailover,
        ProviderRateLimiters limiters, ILogger logger, CancellationToken cancellationToken)
    {
        var providers = configured.Count == 0 ? [sandbox] : configured;
        ProviderSendException? last = null;
        foreach (var provider in providers)
        {
            await limiters.WaitAsync(name(provider), cancellationToken);
            try
            {
                return await send(provider, cancellationToken);
            }
            catch (ProviderSendException ex) when (ex.Kind == SendFailureKind.Transient && !ex.MayHaveBeenSent)
            {
                last = ex;
                logger.LogWarning("Provider {Provider} failed ({Code}): {Message}; trying the next one", name(provider), ex.ErrorCode, PersonalData.Redact(ex.Message));
                await onFailover(name(provider), ex);
            }
        }

        throw last!;
    }
}
