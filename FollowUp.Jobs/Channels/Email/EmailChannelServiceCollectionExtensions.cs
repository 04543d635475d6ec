using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FollowUp.Jobs.Channels.Email;

/// <summary>Composition of the email channel's providers.</summary>
public static class EmailChannelServiceCollectionExtensions
{
    /// <summary>
    /// Adds the email channel (its failover order from <c>FollowUp:Email:Providers</c>; every registered
    /// <see cref="IEmailProvider"/> joins it, the sandbox when none is configured). Binds <see cref="SmtpOptions"/> (<c>FollowUp:Smtp</c>) and <see cref="SendGridOptions"/>
    /// (<c>FollowUp:SendGrid</c>), validated at start-up with messages naming the key, and registers the
    /// providers as <see cref="IEmailProvider"/> in the default failover order: SMTP first, SendGrid second.
    /// SMTP keeps connected clients in <see cref="SmtpConnectionPool"/> (<see cref="SmtpOptions.PoolSize"/>).
    /// A provider without credentials stays registered and reports <see cref="IChannelProvider.IsConfigured"/>
    /// false. SendGrid is a typed HttpClient (transient, as typed clients are) whose timeout is
    /// <see cref="SendGridOptions.TimeoutSeconds"/>; resolve the providers per send rather than holding them
    /// for the life of the process, so the client factory can rotate connections.
    /// </summary>
    public static IServiceCollection AddEmailChannel(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<SmtpOptions>().Bind(configuration.GetSection(SmtpOptions.Section)).ValidateOnStart();
        services.AddOptions<SendGridOptions>().Bind(configuration.GetSection(SendGridOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SmtpOptions>, SmtpOptions.Validator>();
        services.AddSingleton<IValidateOptions<SendGridOptions>, SendGridOptions.Validator>();
        services.AddOptions<UnsubscribeOptions>().Bind(configuration.GetSection(UnsubscribeOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<UnsubscribeOptions>, UnsubscribeOptions.Validator>();
        // Marketing mail's one-click links, read back by the web's /unsubscribe/{token}.
        services.AddSingleton<UnsubscribeLinks>();

        // Tests register their own after this (the last registration wins) to trust their certificate.
        services.AddSingleton(new SmtpServerCertificates());
        services.AddSingleton<SmtpConnectionPool>();
        services.AddSingleton<SmtpEmailProvider>();
        services.AddHttpClient<SendGridEmailProvider>((sp, http) =>
            http.Timeout = TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<SendGridOptions>>().Value.TimeoutSeconds));

        // Registration order is the failover order.
        services.AddSingleton<IEmailProvider>(sp => sp.GetRequiredService<SmtpEmailProvider>());
        services.AddTransient<IEmailProvider>(sp => sp.GetRequiredService<SendGridEmailProvider>());

        services.AddOptions<ChannelOptions>(Channel.Email.Name).Bind(configuration.GetSection("FollowUp:Email"));
        // Scoped (one per attempt): SendGrid is a typed HttpClient, which should not be held for the process's life.
        services.AddScoped<IMessageChannel, EmailChannel>();
        return services;
    }
}
