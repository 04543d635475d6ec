using FollowUp.Jobs.Engine;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Hangfire.Storage;
using Moq;
using NodaTime;

namespace FollowUp.Tests.Engine;

/// <summary>The fixed retry's election, with Hangfire's storage interfaces as Moq ports (the pattern Hangfire's docs show).</summary>
public sealed class FixedRetryAttributeTests
{
    private Mock<JobStorage> _storage = null!;
    private Mock<IStorageConnection> _connection = null!;
    private Mock<IWriteOnlyTransaction> _transaction = null!;

    [SetUp]
    public void SetUp()
    {
        _storage = new Mock<JobStorage>();
        _connection = new Mock<IStorageConnection>();
        _transaction = new Mock<IWriteOnlyTransaction>();
    }

    private ElectStateContext Context(IState candidate, string? retryCount)
    {
        _connection.Setup(c => c.GetJobParameter("42", FixedRetryAttribute.RetryCountParameter)).Returns(retryCount!);
        var job = Job.FromExpression(() => ProbeJob.RunAsync("k", "fail", null, CancellationToken.None));
        var background = new BackgroundJob("42", job, new DateTime(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc));
        return new ElectStateContext(new ApplyStateContext(_storage.Object, _connection.Object, _transaction.Object, background, candidate, "Processing"));
    }

    [Test]
    public void OnStateElection_FirstFailure_SchedulesAttemptTwoAfterTheDelay_CountsTheRetry()
    {
        var context = Context(new FailedState(new InvalidOperationException("boom")), retryCount: null);

        new FixedRetryAttribute { Attempts = 3, DelaySeconds = 60 }.OnStateElection(context);

        var scheduled = context.CandidateState as ScheduledState;
        Assert.Multiple(() =>
        {
            Assert.That(scheduled, Is.Not.Null);
            Assert.That(scheduled!.EnqueueAt - scheduled.ScheduledAt, Is.EqualTo(TimeSpan.FromSeconds(60)).Within(TimeSpan.FromSeconds(1)));
            Assert.That(scheduled.Reason, Is.EqualTo("Attempt 2 of 3 in 60 s; attempt 1 failed: InvalidOperationException: boom"));
        });
        _connection.Verify(c => c.SetJobParameter("42", FixedRetryAttribute.RetryCountParameter, "1"), Times.Once);
    }

    [Test]
    public void OnStateElection_SecondFailure_SaysAttemptThree()
    {
        var context = Context(new FailedState(new TimeoutException("slow")), retryCount: "1");

        new FixedRetryAttribute { Attempts = 3, DelaySeconds = 60 }.OnStateElection(context);

        Assert.That(context.CandidateState.Reason, Is.EqualTo("Attempt 3 of 3 in 60 s; attempt 2 failed: TimeoutException: slow"));
        _connection.Verify(c => c.SetJobParameter("42", FixedRetryAttribute.RetryCountParameter, "2"), Times.Once);
    }

    [Test]
    public void OnStateElection_LastAttemptFailed_StaysFailed_SaysAttemptsExhausted()
    {
        var failed = new FailedState(new InvalidOperationException("boom"));
        var context = Context(failed, retryCount: "2");

        new FixedRetryAttribute { Attempts = 3, DelaySeconds = 60 }.OnStateElection(context);

        Assert.Multiple(() =>
        {
            Assert.That(context.CandidateState, Is.SameAs(failed));
            Assert.That(failed.Reason, Is.EqualTo("Attempts exhausted (3 of 3): InvalidOperationException: boom"));
        });
        _connection.Verify(c => c.SetJobParameter(It.IsAny<string>(), It.IsAny<string>(), It.IsAny<string>()), Times.Never);
    }

    [Test]
    public void OnStateElection_PermanentFailure_SkipsTheRemainingAttempts()
    {
        var failed = new FailedState(new InvalidOperationException("wrapper", new PermanentJobException("invalid number")));
        var context = Context(failed, retryCount: null);

        new FixedRetryAttribute { Attempts = 3, DelaySeconds = 60 }.OnStateElection(context);

        Assert.Multiple(() =>
        {
            Assert.That(context.CandidateState, Is.SameAs(failed));
            Assert.That(failed.Reason, Does.StartWith("Permanent failure on attempt 1 of 3, no retry"));
        });
    }

    [Test]
    public void OnStateElection_Deferred_SchedulesAtItsInstant_WithoutSpendingAnAttempt()
    {
        var until = Instant.FromUtc(2030, 1, 2, 9, 0);
        var context = Context(new FailedState(new JobDeferredException(until, "outside business hours")), retryCount: "1");

        new FixedRetryAttribute { Attempts = 3, DelaySeconds = 60 }.OnStateElection(context);

        var scheduled = context.CandidateState as ScheduledState;
        Assert.Multiple(() =>
        {
            Assert.That(scheduled!.EnqueueAt, Is.EqualTo(until.ToDateTimeUtc()));
            Assert.That(scheduled.Reason, Is.EqualTo("Deferred without spending an attempt: outside business hours"));
        });
        _connection.Verify(c => c.SetJobParameter(It.IsAny<string>(), It.IsAny<string>(), It.IsAny<string>()), Times.Never);
    }

    [Test]
    public void OnStateElection_NotAFailure_LeftAlone()
    {
        var succeeded = new SucceededState(null, 1, 1);
        var context = Context(succeeded, retryCount: null);

        new FixedRetryAttribute().OnStateElection(context);

        Assert.That(context.CandidateState, Is.SameAs(succeeded));
    }

    private ApplyStateContext Applying(IState newState, string oldState)
    {
        var job = Job.FromExpression(() => ProbeJob.RunAsync("k", "fail", null, CancellationToken.None));
        var background = new BackgroundJob("42", job, new DateTime(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc));
        return new ApplyStateContext(_storage.Object, _connection.Object, _transaction.Object, background, newState, oldState);
    }

    [Test]
    public void OnStateApplied_ScheduledRetry_InHangfiresRetriesSet()
    {
        var retry = new ScheduledState(TimeSpan.FromSeconds(60)) { Reason = "Attempt 2 of 3 in 60 s; attempt 1 failed: TimeoutException: slow" };

        new FixedRetryAttribute().OnStateApplied(Applying(retry, "Processing"), _transaction.Object);

        _transaction.Verify(t => t.AddToSet("retries", "42"), Times.Once);
    }

    [Test]
    public void OnStateApplied_DeferralOrPlannedSend_NotARetry()
    {
        var attribute = new FixedRetryAttribute();

        attribute.OnStateApplied(Applying(new ScheduledState(TimeSpan.FromHours(1)) { Reason = "Deferred without spending an attempt: outside business hours" }, "Processing"), _transaction.Object);
        attribute.OnStateApplied(Applying(new ScheduledState(TimeSpan.FromHours(1)) { Reason = "Planned for 2026-12-02T09:00:00Z" }, null!), _transaction.Object);
        attribute.OnStateApplied(Applying(new FailedState(new InvalidOperationException("boom")) { Reason = "Attempts exhausted (3 of 3): boom" }, "Processing"), _transaction.Object);

        _transaction.Verify(t => t.AddToSet(It.IsAny<string>(), It.IsAny<string>()), Times.Never);
    }

    [Test]
    public void OnStateUnapplied_LeavingScheduled_OutOfTheRetriesSet()
    {
        var attribute = new FixedRetryAttribute();

        attribute.OnStateUnapplied(Applying(new EnqueuedState(), "Scheduled"), _transaction.Object);
        attribute.OnStateUnapplied(Applying(new ScheduledState(TimeSpan.FromSeconds(60)), "Processing"), _transaction.Object);

        _transaction.Verify(t => t.RemoveFromSet("retries", "42"), Times.Once);
    }

    [Test]
    public void OnStateElection_FailureMidSecond_DueTimeIsRoundedUpToAWholeSecondAtLeastTheDelayAway()
    {
        // Hangfire keeps due times in whole seconds (fraction dropped): 12:01:00.4 would be due at 12:01:00.0.
        var failedAt = Instant.FromUtc(2026, 12, 3, 12, 0, 0).PlusTicks(4_000_000);
        var context = Context(new FailedState(new TimeoutException("slow")), retryCount: null);

        new FixedRetryAttribute { Attempts = 3, DelaySeconds = 60, Clock = new NodaTime.Testing.FakeClock(failedAt) }.OnStateElection(context);

        var scheduled = (ScheduledState)context.CandidateState;
        Assert.That(Instant.FromDateTimeUtc(scheduled.EnqueueAt), Is.EqualTo(Instant.FromUtc(2026, 12, 3, 12, 1, 1)));
    }

    [Test]
    public void OnStateElection_DeferredToAnInstantMidSecond_IsScheduledAtTheNextWholeSecond()
    {
        var until = Instant.FromUtc(2030, 1, 2, 9, 0).PlusTicks(1);
        var context = Context(new FailedState(new JobDeferredException(until, "outside business hours")), retryCount: null);

        new FixedRetryAttribute().OnStateElection(context);

        var scheduled = (ScheduledState)context.CandidateState;
        Assert.That(Instant.FromDateTimeUtc(scheduled.EnqueueAt), Is.EqualTo(Instant.FromUtc(2030, 1, 2, 9, 0, 1)));
    }
}
