using FollowUp.Jobs.Engine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace FollowUp.Jobs.Copy;

/// <summary>Composition of AI-written follow-ups: options, the model port, the store, the personalise job's outbox.</summary>
internal static class CopyServiceCollectionExtensions
{
    public static IServiceCollection AddCopy(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AiOptions>().Bind(configuration.GetSection(AiOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AiOptions>, AiOptions.Validator>();
        services.AddSingleton<CopyStore>();
        services.AddSingleton<CopyDispatcher>();
        services.AddSingleton<IOutboxDrain>(sp => sp.GetRequiredService<CopyDispatcher>());
        // Its SDK client is built at the first call: with no key no request is ever made, so nothing calls out.
        services.TryAddSingleton<ICopyWriter, AnthropicCopyWriter>();
        services.AddTransient<PersonaliseCallJob>();
        services.AddHostedService<AiStartupNotice>();
        return services;
    }
}
