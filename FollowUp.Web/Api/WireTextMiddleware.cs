namespace FollowUp.Web.Api;

/// <summary>
/// <see cref="WireText"/>'s rule for what a request carries outside its body: query parameters
/// (<c>?q=</c>, <c>?client_id=</c>, <c>?phone=</c>), each of which reaches a query. One that is not text is a 400
/// naming it, before any endpoint runs. The path needs no check: ASP.NET Core's decoder refuses a NUL in it
/// (Kestrel answers 400) and keeps invalid UTF-8 undecoded. Bodies are checked by the endpoints that read
/// them, once the sender is known.
/// </summary>
internal sealed class WireTextMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (name, values) in context.Request.Query)
        {
            if (WireText.ProblemWith(name) is { } nameProblem)
            {
                errors.TryAdd("query", [$"has a parameter name that {nameProblem}"]);
            }

            foreach (var value in values)
            {
                if (WireText.ProblemWith(value) is { } problem)
                {
                    errors.TryAdd(name, [problem]);
                }
            }
        }

        return errors.Count == 0 ? next(context) : WireText.Problem(errors).ExecuteAsync(context);
    }
}
