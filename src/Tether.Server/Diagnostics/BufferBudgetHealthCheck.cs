using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Tether.Server.Messaging;

namespace Tether.Server.Diagnostics;

/// <summary>
/// Healthy while the message buffers keep less than a share of <see cref="PersistentConnectionOptions.MaxBufferedBytes"/>;
/// Degraded above it, as the budget is close to dropping the oldest buffered messages (reconnecting clients may then
/// miss some). A bus without a byte budget reports Healthy.
/// </summary>
internal sealed class BufferBudgetHealthCheck(IMessageBus bus, IOptions<PersistentConnectionOptions> options, double degradedRatio) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (bus is not IBufferedBytesSource buffers)
        {
            return Task.FromResult(HealthCheckResult.Healthy("The message bus keeps no byte-bounded buffers."));
        }

        long max = options.Value.MaxBufferedBytes;
        long bytes = buffers.BufferedBytes;
        var data = new Dictionary<string, object>
        {
            ["bufferedBytes"] = bytes,
            ["maxBufferedBytes"] = max,
            ["evictedMessages"] = buffers.EvictedMessages,
        };
        double share = max > 0 ? (double)bytes / max : 0;
        string usage = string.Create(CultureInfo.InvariantCulture, $"{bytes} of {max} buffered bytes ({share:P0})");
        return Task.FromResult(share >= degradedRatio
            ? HealthCheckResult.Degraded($"{usage}: at or above {degradedRatio:P0} of MaxBufferedBytes, the oldest buffered messages are about to be dropped and reconnecting clients may miss them.", data: data)
            : HealthCheckResult.Healthy(usage, data));
    }
}
