using System.Net;
using Microsoft.Extensions.Options;

namespace FollowUp.Web.Proxy;

/// <summary>
/// <c>FollowUp:ForwardedHeaders</c>: the reverse proxies (TLS terminators, load balancers) whose
/// <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> are believed. None by default: then those headers
/// are ignored from everyone (ASP.NET Core's own default would trust loopback; we trust only what is named).
/// </summary>
internal sealed class ForwardedHeadersSettings
{
    public const string Section = "FollowUp:ForwardedHeaders";

    /// <summary>IP addresses of the proxies, e.g. <c>10.0.0.5</c> (environment: <c>FollowUp__ForwardedHeaders__KnownProxies__0</c>).</summary>
    public List<string> KnownProxies { get; } = [];

    public IReadOnlyList<IPAddress> Addresses() => KnownProxies.Select(IPAddress.Parse).ToList();

    internal sealed class Validator : IValidateOptions<ForwardedHeadersSettings>
    {
        public ValidateOptionsResult Validate(string? name, ForwardedHeadersSettings options)
        {
            var errors = new List<string>();
            for (var i = 0; i < options.KnownProxies.Count; i++)
            {
                if (!IPAddress.TryParse(options.KnownProxies[i], out _))
                {
                    errors.Add($"{Section}:KnownProxies:{i} must be an IP address, not '{options.KnownProxies[i]}'.");
                }
            }

            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
