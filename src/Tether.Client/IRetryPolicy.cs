using System;

namespace Tether.Client;

/// <summary>
/// Decides whether and when a <see cref="Connection"/> starts over once the classic reconnect window has ended: after
/// <c>DisconnectTimeout</c> of failed reconnects, instead of closing, the connection negotiates again (a new
/// connection id) while staying <see cref="ConnectionState.Reconnecting"/>.
/// </summary>
/// <remarks>Opt-in through <see cref="Connection.RetryPolicy"/>; without a policy the connection closes, as the classic client does.</remarks>
public interface IRetryPolicy
{
    /// <summary>The delay before the next attempt, or <see langword="null"/> to give up and close the connection.</summary>
    /// <param name="retryContext">How many attempts were made, for how long, and why the last one failed.</param>
    /// <returns>The delay, or <see langword="null"/> to stop.</returns>
    TimeSpan? NextRetryDelay(RetryContext retryContext);
}
