using System.Reflection;
using Microsoft.AspNetCore.Mvc.Controllers;

namespace FollowUp.Web.Webhooks;

/// <summary>
/// Finds this app's controllers although they are <c>internal sealed</c> (house style: nothing here is
/// a contract for other assemblies), which MVC's default provider skips.
/// </summary>
internal sealed class WebhookControllers : ControllerFeatureProvider
{
    protected override bool IsController(TypeInfo typeInfo) =>
        typeInfo.Assembly == typeof(WebhookControllers).Assembly
        && typeInfo is { IsClass: true, IsAbstract: false }
        && typeof(Microsoft.AspNetCore.Mvc.ControllerBase).IsAssignableFrom(typeInfo)
        && typeInfo.Name.EndsWith("Controller", StringComparison.Ordinal);
}
