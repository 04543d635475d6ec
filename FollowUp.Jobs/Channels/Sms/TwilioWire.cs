using System.Net;
using Microsoft.Extensions.Options;

namespace FollowUp.Jobs.Channels.Sms;

/// <summary>
/// The last handler before the socket in the Twilio library's <see cref="HttpClient"/>. Three jobs the
/// library does not do: it points the library's fixed host (<c>https://api.twilio.com</c>) at
/// <see cref="TwilioOptions.BaseUrl"/> (a local fake in tests and staging: scheme, host, port and any
/// path prefix are replaced, the library's path kept); it cancels the request with the caller's token
/// (the library's async API takes none); and it notes, for the send in progress, the HTTP status and
/// whether the request may have reached Twilio, which the library's exceptions do not always carry.
/// </summary>
internal sealed class TwilioWire(IOptions<TwilioOptions> options) : DelegatingHandler
{
    private static readonly AsyncLocal<TwilioCall?> Current = new();

    /// <summary>Starts observing one send on this async flow; dispose when the library call returns.</summary>
    public static TwilioCall Begin(CancellationToken cancellationToken)
    {
        var call = new TwilioCall(cancellationToken);
        Current.Value = call;
        return call;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.RequestUri = Rewrite(request.RequestUri!, options.Value.BaseUrl);
        var call = Current.Value;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, call?.CancellationToken ?? CancellationToken.None);
        try
        {
            var response = await base.SendAsync(request, linked.Token);
            call?.Answered(response.StatusCode);
            return response;
        }
        catch (HttpRequestException ex) when (HttpSendFailures.NothingWritten(ex))
        {
            // Nothing was written: no connection (or no TLS session) was ever made.
            call?.NotSent();
            throw;
        }
    }

    /// <summary><paramref name="uri"/> with <paramref name="baseUrl"/>'s scheme, host, port and path prefix.</summary>
    internal static Uri Rewrite(Uri uri, string baseUrl)
    {
        var target = new Uri(baseUrl, UriKind.Absolute);
        var prefix = target.AbsolutePath.TrimEnd('/');
        return new UriBuilder(uri) { Scheme = target.Scheme, Host = target.Host, Port = target.Port, Path = prefix + uri.AbsolutePath }.Uri;
    }
}
