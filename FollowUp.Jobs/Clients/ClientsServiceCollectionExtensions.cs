using FollowUp.Jobs.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace FollowUp.Jobs.Clients;

/// <summary>Composition of the per-business settings.</summary>
internal static class ClientsServiceCollectionExtensions
{
    public static IServiceCollection AddClients(this IServiceCollection services)
    {
        services.AddSingleton<ClientStore>();
        // Encrypts secrets stored before encryption, at start-up under the migration lock.
        services.AddSingleton<IMigrationStep, SecretEncryptionStep>();
        return services;
    }
}
