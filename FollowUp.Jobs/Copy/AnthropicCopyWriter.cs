using Anthropic;
using Anthropic.Models.Messages;
using Microsoft.Extensions.Options;

namespace FollowUp.Jobs.Copy;

/// <summary>
/// <see cref="ICopyWriter"/> on Claude through the official <c>Anthropic</c> SDK: one Messages API call per message,
/// at <c>FollowUp:Ai:BaseUrl</c>, with the SDK's own retries (<c>MaxRetries</c>: 408, 409, 429, 5xx — 529
/// overloaded included — and dropped connections, with its backoff) and per-attempt timeout. The caller bounds the
/// whole call, retries included.
/// </summary>
internal sealed class AnthropicCopyWriter : ICopyWriter, IDisposable
{
    // An SMS is short; an email body a few paragraphs. Output tokens are billed, so the ceiling is tight.
    private const int SmsMaxTokens = 400, EmailMaxTokens = 1200;

    // Built at the first call: a job that finds the feature off (a key removed since its request) builds nothing.
    private readonly Lazy<AnthropicClient> _client;
    private readonly AiOptions _options;

    public AnthropicCopyWriter(IOptions<AiOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _client = new Lazy<AnthropicClient>(() => new AnthropicClient
        {
            ApiKey = _options.ApiKey,
            BaseUrl = _options.BaseUrl,
            Timeout = TimeSpan.FromSeconds(_options.TimeoutSeconds),
            MaxRetries = _options.MaxRetries,
            // Spans (ActivitySource "com.anthropic.sdk.csharp", exported when the product's telemetry is on) carry
            // the model, tokens and timing, never the prompt: it holds the caller's words.
            OpenTelemetry = new Anthropic.Core.OpenTelemetryOptions
            {
                Traces = new Anthropic.Core.OpenTelemetryTraces { Enabled = true, ContentMode = Anthropic.Core.OpenTelemetryContentMode.MetadataOnly },
            },
        });
    }

    public async Task<CopyDraft> WriteAsync(CopyBrief brief, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(brief);
        var parameters = new MessageCreateParams
        {
            Model = _options.Model,
            MaxTokens = brief.Channel == "email" ? EmailMaxTokens : SmsMaxTokens,
            System = CopyPrompt.System(brief),
            Messages = [new UserMessageParam(CopyPrompt.User(brief))],
        };
        var message = await _client.Value.Messages.Create(parameters, cancellationToken);
        var text = string.Concat(message.Content.Select(block => block.TryPickText(out var t) ? t.Text : ""));
        return new CopyDraft(text, message.Model, message.Usage.InputTokens, message.Usage.OutputTokens);
    }

    public void Dispose()
    {
        if (_client.IsValueCreated)
        {
            _client.Value.Dispose();
        }
    }
}
