using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Tether.Server.Messaging;

namespace Tether.Benchmarks.Attacks.Infrastructure;

/// <summary>
/// Reads a bus's byte accounting (the bytes its topics hold: an internal property of both buses) by reflection,
/// since the figure is not public; the process-wide heap is too noisy (shared array pools) to show a few MB exactly.
/// </summary>
internal static class BusProbe
{
    /// <summary>The bytes all topics of the bus hold, or <see langword="null"/> when the bus keeps no such count.</summary>
    public static long? BufferedBytes(IServiceProvider services)
    {
        const BindingFlags Internal = BindingFlags.Instance | BindingFlags.NonPublic;
        var bus = services.GetRequiredService<IMessageBus>();
        if (bus.GetType().GetProperty("BufferedBytes", Internal) is { } direct)
        {
            return direct.GetValue(bus) as long?;
        }

        var budget = bus.GetType().GetProperty("Budget", Internal)?.GetValue(bus);
        return budget?.GetType().GetProperty("BufferedBytes")?.GetValue(budget) as long?;
    }
}
