namespace Tether.Server.Diagnostics;

/// <summary>The values of the <c>tether.outcome</c> tag of hub invocations.</summary>
internal static class HubInvocationOutcome
{
    /// <summary>The method returned.</summary>
    public const string Ok = "ok";

    /// <summary>The method threw a <see cref="HubException"/>: an error meant for the caller.</summary>
    public const string HubError = "hub_error";

    /// <summary>Anything else failed: no such hub or method, unbound arguments, not authorized, or the method threw.</summary>
    public const string Error = "error";
}
