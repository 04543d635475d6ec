namespace FollowUp.Web.Webhooks;

/// <summary>Reads a webhook's raw body (signatures are over the exact bytes) up to a size cap.</summary>
internal static class WebhookBody
{
    /// <summary>The body, or null when it is longer than <paramref name="maxBytes"/>.</summary>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// A verified JSON body parsed, or the problem to answer: 400 naming each string that cannot be stored
    /// (NUL, a lone surrogate), or 400 for JSON that does not parse. Nothing has been written either way.
    /// </summary>
    public static (System.Text.Json.JsonElement Json, IResult? Problem) ParseJson(byte[] body)
    {
        if (Api.WireText.FindInJson(body) is { Count: > 0 } unusable)
        {
            return (default, Api.WireText.Problem(unusable));
        }

        try
        {
            return (System.Text.Json.JsonDocument.Parse(body).RootElement.Clone(), null);
        }
        catch (System.Text.Json.JsonException ex)
        {
            return (default, WebhookProblems.MalformedJson(ex.Message));
        }
    }
}
