using Microsoft.AspNetCore.Diagnostics;

namespace FollowUp.Web.Api;

/// <summary>
/// A request the server cannot read or bind surfaces as <see cref="BadHttpRequestException"/>: Kestrel's
/// refusal of a body (a malformed chunked body, one cut short, one over the size limit) from the first read
/// of it, or a minimal-API parameter that does not bind (<c>?before=yesterday</c>: routing throws, as
/// configured). It is the client's fault and carries its own status (400, 413): answered with it as a
/// problem document whose detail is the framework's own sentence (it names the parameter and the value),
/// not as the exception handler's 500. Nothing was recorded: every door reads the whole body before it writes.
/// </summary>
internal sealed class BadRequestExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        if (exception is not BadHttpRequestException bad)
        {
            return false;
        }

        httpContext.Response.StatusCode = bad.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = bad.StatusCode,
                Title = "Malformed request",
                // The framework's own words ("Bad chunk size data.", "Failed to bind parameter \"long? before\" from \"yesterday\"."):
                // the parameter and the value the caller sent, no other request data.
                Detail = bad.Message,
            },
        });
    }
}
