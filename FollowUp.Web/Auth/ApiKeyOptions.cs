using Microsoft.Extensions.Options;

namespace FollowUp.Web.Auth;

/// <summary>API keys accepted as <c>Authorization: Bearer &lt;key&gt;</c>, from <c>FollowUp:Api:Keys</c>.</summary>
internal sealed class ApiKeyOptions
{
    public const string Section = "FollowUp:Api";

    public List<string> Keys { get; set; } = [];

    internal sealed class Validator : IValidateOptions<ApiKeyOptions>
    {
        public ValidateOptionsResult Validate(string? name, ApiKeyOptions options)
        {
            var errors = options.Keys
                .Select((key, i) => (key, i))
                .Where(k => string.IsNullOrWhiteSpace(k.key) || k.key.Length < 16)
                .Select(k => $"{Section}:Keys:{k.i} must be at least 16 characters.")
                .ToList();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
