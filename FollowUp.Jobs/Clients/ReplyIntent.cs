namespace FollowUp.Jobs.Clients;

/// <summary>What a customer's reply asks of a booked appointment (<see cref="ReplyKeywords"/>).</summary>
public enum ReplyIntent
{
    Confirm,
    Cancel,
    Reschedule,
}
