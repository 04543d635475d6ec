using FollowUp.Jobs.Copy;
using Microsoft.Extensions.Options;

namespace FollowUp.Tests.Copy;

/// <summary>FollowUp:Ai validated at start-up: each bad value named with its key, the key itself never echoed.</summary>
public sealed class AiOptionsTests
{
    private static ValidateOptionsResult Validate(AiOptions options) => new AiOptions.Validator().Validate(null, options);

    [Test]
    public void Validate_Defaults_WithoutAKey_AreValid_AndTheFeatureIsOff()
    {
        var options = new AiOptions();

        Assert.Multiple(() =>
        {
            Assert.That(Validate(options).Succeeded, Is.True);
            Assert.That(options.Configured, Is.False);
        });
    }

    [Test]
    public void Validate_BadValues_EachNamedWithItsKey_TheKeyNotEchoed()
    {
        var result = Validate(new AiOptions
        {
            ApiKey = "sk ant", TimeoutSeconds = 0, MaxRetries = 9, BaseUrl = "ftp://x", Model = "", MonthlySpendCapUsd = -1,
        });

        Assert.Multiple(() =>
        {
            Assert.That(result.Failed, Is.True);
            Assert.That(result.Failures, Has.Some.StartsWith("FollowUp:Ai:ApiKey must be"));
            Assert.That(result.Failures, Has.Some.StartsWith("FollowUp:Ai:TimeoutSeconds must be between 1 and 120"));
            Assert.That(result.Failures, Has.Some.StartsWith("FollowUp:Ai:MaxRetries must be between 0 and 5"));
            Assert.That(result.Failures, Has.Some.StartsWith("FollowUp:Ai:BaseUrl must be"));
            Assert.That(result.Failures, Has.Some.StartsWith("FollowUp:Ai:Model must be"));
            Assert.That(result.Failures, Has.Some.StartsWith("FollowUp:Ai:MonthlySpendCapUsd must be"));
            Assert.That(result.FailureMessage, Does.Not.Contain("sk ant"));
        });
    }

    [Test]
    public void CostOf_TokensTimesThePrices() =>
        Assert.That(new AiOptions { InputUsdPerMillionTokens = 3m, OutputUsdPerMillionTokens = 15m }.CostOf(1000, 200), Is.EqualTo(0.006m));
}
