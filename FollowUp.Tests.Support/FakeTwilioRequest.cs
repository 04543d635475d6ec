using Microsoft.Extensions.Primitives;

namespace FollowUp.Tests.Support;

/// <summary>A request as <see cref="FakeTwilioServer"/> received it.</summary>
public sealed record FakeTwilioRequest(
    string Method, string Path, string? Authorization, string? ContentType, string RawBody,
    IReadOnlyDictionary<string, StringValues> Form);
