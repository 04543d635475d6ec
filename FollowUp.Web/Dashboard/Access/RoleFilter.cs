using System.Reflection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace FollowUp.Web.Dashboard.Access;

/// <summary>
/// Refuses (403) a dashboard handler the signed-in user's role does not allow. Runs after
/// authentication and anti-forgery validation, so a POST without a valid token is a 400 before it
/// gets here. Anonymous pages (sign-in) are marked with <see cref="RequiresRoleAttribute"/> of "".
/// </summary>
internal sealed class RoleFilter : IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var method = context.HandlerMethod?.MethodInfo;
        var needed = method?.GetCustomAttribute<RequiresRoleAttribute>()?.Role
            ?? (HttpMethods.IsGet(context.HttpContext.Request.Method) || HttpMethods.IsHead(context.HttpContext.Request.Method)
                ? DashboardRoles.Viewer
                : DashboardRoles.Operator);
        if (needed.Length > 0 && !context.HttpContext.User.IsInRole(needed))
        {
            context.Result = new ObjectResult($"Your role does not allow this: it needs the {needed} role.")
            {
                StatusCode = StatusCodes.Status403Forbidden,
            };
            return;
        }

        await next();
    }
}
