
namespace FollowUp.Jobs.Signing;

/// <summary>Why a webhook signature was refused (each maps to a 401 saying so), or <see cref="Valid"/>.</summary>
public enum SignatureCheck
{
    Valid,
    Missing,
    Malformed,
    Expired,
    Mismatch,
}
