namespace FollowUp.Tests.Support;

/// <summary>Polls a condition until it holds or a generous deadline passes (for asynchronous work).</summary>
public static class Eventually
{
    public static async Task<T> WaitForAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan? timeout = null, string? what = null)
    {
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }

            if (deadline.Elapsed > limit)
            {
                // An exception, not NUnit's Assert.Fail: bench/ uses this too. NUnit reports it as the test's failure.
                throw new TimeoutException($"Timed out waiting for {what ?? "condition"}; last value: {value}");
            }

            await Task.Delay(50);
        }
    }
}
