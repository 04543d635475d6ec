using Microsoft.Extensions.DependencyInjection;

namespace FollowUp.Jobs.Conversations;

/// <summary>Composition of conversations: inbound replies that act, and the conversation read model.</summary>
internal static class ConversationsServiceCollectionExtensions
{
    public static IServiceCollection AddConversations(this IServiceCollection services)
    {
        services.AddSingleton<InboundReplies>();
        services.AddSingleton<ConversationQueries>();
        return services;
    }
}
