using System;
using System.Threading;
using System.Threading.Tasks;

namespace Tether.Client.Internal;

/// <summary>Delays on a <see cref="TimeProvider"/> (modern .NET: built into <see cref="Task.Delay(TimeSpan, TimeProvider, CancellationToken)"/>).</summary>
internal static class Clock
{
    public static Task Delay(TimeProvider timeProvider, TimeSpan delay, CancellationToken cancellationToken) =>
        Task.Delay(delay, timeProvider, cancellationToken);

    public static CancellationTokenSource CreateTimeoutSource(TimeProvider timeProvider, TimeSpan delay) =>
        new(delay, timeProvider);
}
