using Microsoft.AspNetCore.Diagnostics;

namespace FollowUp.Web.Api;

/// <summary>
/// Kestrel's refusal of a request it cannot read (a malformed chunked body, a body cut short, one over
/// the size limit) surfaces as <see cref="BadHttpRequestException"/> from the first read of the body,
/// inside an endpoint. It is the client's fault and carries its own status (400, 413): answered with it as
/// a problem document, not as the exception handler's 500. Nothing was recorded: every door reads the
/// whole body before it writes.
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
                Title = "Unreadable request",
                // Kestrel's own words ("Bad chunk size data.", "Unexpected end of request content."): no request data in them.
                Detail = bad.Message,
            },
        });
    }
}
