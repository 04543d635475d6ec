namespace FollowUp.Jobs.Clients;

/// <summary>A kind's SMS as a sample customer would receive it, and what it costs in segments.</summary>
public sealed record TemplatePreview(string Sms, int SmsSegments, string SmsEncoding);
