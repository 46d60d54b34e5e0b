using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Tether.Redis.Internal;

/// <summary>
/// Loads Tether's shared key ring when the host starts (creating the first key in Redis if there is none), as Data
/// Protection does for an application's own key ring, so the first negotiate does not wait for it. A Redis that cannot
/// be reached is logged by Data Protection and retried on first use; the host starts anyway.
/// </summary>
internal sealed class SharedTokenKeyRingWarmup(IOptions<RedisBackplaneOptions> options, IServiceProvider services) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.ShareDataProtectionKeys)
        {
            return;
        }

        foreach (IHostedService inner in services.GetRequiredService<SharedTokenKeyRing>().HostedServices)
        {
            await inner.StartAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
