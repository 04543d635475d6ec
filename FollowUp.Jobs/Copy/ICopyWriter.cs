namespace FollowUp.Jobs.Copy;

/// <summary>
/// The port to a language model that rewrites one follow-up (<see cref="AnthropicCopyWriter"/>: Claude through the
/// official SDK). An implementation retries what its provider says is worth retrying, within the caller's
/// cancellation; it throws on every failure (a timeout as <see cref="TimeoutException"/> or an
/// <see cref="OperationCanceledException"/>), and never checks the text: the guardrails do.
/// </summary>
public interface ICopyWriter
{
    Task<CopyDraft> WriteAsync(CopyBrief brief, CancellationToken cancellationToken);
}
