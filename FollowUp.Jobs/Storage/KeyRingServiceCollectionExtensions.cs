using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace FollowUp.Jobs.Storage;

/// <summary>Composition of Data Protection: the key ring in the database, shared by every node, and the <see cref="SecretProtector"/> over it.</summary>
internal static class KeyRingServiceCollectionExtensions
{
    /// <summary>
    /// One application name for every node (the default is the content root path, which differs from
    /// machine to machine and would give each node keys the others cannot use).
    /// </summary>
    public const string ApplicationName = "FollowUp";

    public static IServiceCollection AddFollowUpKeyRing(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<KeyRingOptions>().Bind(configuration.GetSection(KeyRingOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<KeyRingOptions>, KeyRingOptions.Validator>();
        services.AddDataProtection().SetApplicationName(ApplicationName);
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp => new ConfigureOptions<KeyManagementOptions>(o =>
        {
            o.XmlRepository = new DatabaseXmlRepository(sp.GetRequiredService<NpgsqlDataSource>());
            o.NewKeyLifetime = TimeSpan.FromDays(sp.GetRequiredService<IOptions<KeyRingOptions>>().Value.KeyLifetimeDays);
        }));
        services.AddSingleton<SecretProtector>();
        return services;
    }
}
