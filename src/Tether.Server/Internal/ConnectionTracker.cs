using Microsoft.Extensions.Hosting;

namespace Tether.Server.Internal;

internal sealed class ConnectionTracker : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
