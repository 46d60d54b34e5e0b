using System;
using System.Threading;
using System.Threading.Tasks;

namespace Tether.Client.Internal;

/// <summary>Delays on a <see cref="TimeProvider"/> (netstandard2.0: through Microsoft.Bcl.TimeProvider's extensions).</summary>
internal static class Clock
{
    public static Task Delay(TimeProvider timeProvider, TimeSpan delay, CancellationToken cancellationToken) =>
        timeProvider.Delay(delay, cancellationToken);

    public static CancellationTokenSource CreateTimeoutSource(TimeProvider timeProvider, TimeSpan delay) =>
        timeProvider.CreateCancellationTokenSource(delay);
}
