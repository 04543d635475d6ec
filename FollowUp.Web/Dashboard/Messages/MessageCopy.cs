namespace FollowUp.Web.Dashboard.Messages;

/// <summary>
/// Who wrote a message's body and from what: <c>template</c> or <c>ai</c> (with the model's call and the template
/// text it replaced, or why the template was kept), and what the message's call said (its summary, intent and
/// notes: the caller's words, shown encoded like every value on the page).
/// </summary>
internal sealed record MessageCopy(
    string WrittenBy, string? TemplateBody, string? AiModel, int? AiInputTokens, int? AiOutputTokens, decimal? AiCost,
    string? AiKeptReason, string? CallSummary, string? CallIntent, string? CallNotes);
