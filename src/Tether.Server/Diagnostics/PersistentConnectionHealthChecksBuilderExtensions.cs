using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Tether.Server.Messaging;

namespace Tether.Server.Diagnostics;

/// <summary>Adds Tether.Server's health checks to ASP.NET Core health checks (<c>services.AddHealthChecks()</c>).</summary>
public static class PersistentConnectionHealthChecksBuilderExtensions
{
    /// <summary>The default name of the buffer budget check.</summary>
    public const string BufferBudgetCheckName = "tether-buffers";

    /// <summary>
    /// Checks the message buffers against their byte budget (<see cref="PersistentConnectionOptions.MaxBufferedBytes"/>):
    /// Healthy below <paramref name="degradedRatio"/> of it, Degraded at or above, with the bytes in the result's data.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="degradedRatio">The share of the budget (above 0, at most 1) from which the check reports Degraded; default 0.8.</param>
    /// <param name="name">The check's name; default <see cref="BufferBudgetCheckName"/>.</param>
    /// <param name="tags">Tags to filter checks by (e.g. <c>ready</c>), or <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddTetherBufferBudget(this IHealthChecksBuilder builder, double degradedRatio = 0.8, string name = BufferBudgetCheckName, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!(degradedRatio > 0 && degradedRatio <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(degradedRatio), degradedRatio, "The ratio must be above 0 and at most 1.");
        }

        return builder.Add(new HealthCheckRegistration(
            name,
            sp => new BufferBudgetHealthCheck(sp.GetRequiredService<IMessageBus>(), sp.GetRequiredService<IOptions<PersistentConnectionOptions>>(), degradedRatio),
            HealthStatus.Degraded,
            tags));
    }
}
