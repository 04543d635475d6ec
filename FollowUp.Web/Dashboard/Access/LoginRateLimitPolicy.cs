using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace FollowUp.Web.Dashboard.Access;

/// <summary>
/// Sign-in POSTs per client address (<see cref="DashboardOptions.LoginRequestsPerWindow"/> per
/// <see cref="DashboardOptions.LoginWindowSeconds"/>, a fixed window); the sign-in form itself (GET) is
/// never limited. The address is the one the forwarded-headers middleware leaves: the client's behind a
/// configured proxy, the proxy's otherwise. Its own rejection (429), so the webhooks' 503 "Busy" stays theirs.
/// </summary>
internal sealed class LoginRateLimitPolicy(DashboardOptions options) : IRateLimiterPolicy<string>
{
    public const string Name = "dashboard-login";

    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected => async (context, cancellationToken) =>
    {
        var response = context.HttpContext.Response;
        response.StatusCode = StatusCodes.Status429TooManyRequests;
        response.Headers.RetryAfter = options.LoginWindowSeconds.ToString(CultureInfo.InvariantCulture);
        response.ContentType = "text/plain; charset=utf-8";
        await response.WriteAsync(
            $"Too many sign-in attempts from your address: at most {options.LoginRequestsPerWindow} in {options.LoginWindowSeconds} s. " +
            $"Try again in {options.LoginWindowSeconds} s.", cancellationToken);
    };

    public RateLimitPartition<string> GetPartition(HttpContext httpContext) =>
        HttpMethods.IsPost(httpContext.Request.Method)
            ? RateLimitPartition.GetFixedWindowLimiter(httpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown", _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = options.LoginRequestsPerWindow,
                Window = TimeSpan.FromSeconds(options.LoginWindowSeconds),
                QueueLimit = 0,
            })
            : RateLimitPartition.GetNoLimiter("get");
}
