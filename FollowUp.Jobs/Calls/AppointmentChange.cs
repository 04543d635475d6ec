namespace FollowUp.Jobs.Calls;

/// <summary>
/// What became of an appointment action (<see cref="AppointmentActions"/>). <see cref="Intake"/> is the
/// call intake's result when the action reached it; <see cref="Before"/> the appointment as it was.
/// </summary>
public sealed record AppointmentChange(AppointmentChangeStatus Status, AppointmentView? Before = null, IntakeResult? Intake = null);
