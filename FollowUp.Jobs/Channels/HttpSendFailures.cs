namespace FollowUp.Jobs.Channels;

/// <summary>
/// What an <see cref="HttpRequestException"/> from a provider call proves about the send, for every HTTP
/// provider: failover within an attempt is allowed only when nothing was written.
/// </summary>
internal static class HttpSendFailures
{
    /// <summary>
    /// True when the request never left: the host did not resolve, no connection (or TLS session, or proxy
    /// tunnel) was made. Any other failure may have come after the request was written, so the provider may
    /// have it.
    /// </summary>
    public static bool NothingWritten(HttpRequestException ex)
    {
        ArgumentNullException.ThrowIfNull(ex);
        return ex.HttpRequestError is HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError
            or HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError;
    }
}
