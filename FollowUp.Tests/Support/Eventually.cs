namespace FollowUp.Tests.Support;

/// <summary>Polls a condition until it holds or a generous deadline passes (for asynchronous work).</summary>
public static class Eventually
{
    public static async Task<T> WaitForAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan? timeout = null, string? what = null)
    {
        var deadline = DateTimeOffset.UtcNow.Ticks + (timeout ?? TimeSpan.FromSeconds(30)).Ticks;
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }

            if (DateTimeOffset.UtcNow.Ticks > deadline)
            {
                Assert.Fail($"Timed out waiting for {what ?? "condition"}; last value: {value}");
            }

            await Task.Delay(50);
        }
    }
}
