namespace FollowUp.Jobs.Engine;

/// <summary>
/// The stable name a job type is stored under (for example <c>send-sms</c>). Without it the class's
/// full name is used, which a rename would break for jobs already in the table.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class JobTypeAttribute(string name) : Attribute
{
    /// <summary>The stored name.</summary>
    public string Name { get; } = name;
}
