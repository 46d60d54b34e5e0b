using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Tether.Server.Internal;

/// <summary>
/// Runs the <see cref="ConnectionManager"/>'s one heartbeat on <see cref="TimeProvider"/>, ends every receive request
/// when the application starts stopping, and waits (bounded) for the disconnect handlers still running at shutdown.
/// </summary>
internal sealed partial class ConnectionHeartbeat : IHostedService, IDisposable
{
    /// <summary>The longest shutdown waits for <c>OnDisconnected</c> handlers.</summary>
    private static readonly TimeSpan s_handlerDrainLimit = TimeSpan.FromSeconds(5);

    private readonly ConnectionManager _manager;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly ILogger<ConnectionHeartbeat> _logger;
    private readonly CancellationTokenSource _stopping = new();
    private Task? _heartbeat;

    public ConnectionHeartbeat(ConnectionManager manager, IOptions<PersistentConnectionOptions> options, TimeProvider time, ILogger<ConnectionHeartbeat> logger, IHostApplicationLifetime? lifetime = null)
    {
        _manager = manager;
        _interval = options.Value.HeartbeatInterval;
        _time = time;
        _logger = logger;
        lifetime?.ApplicationStopping.Register(static s => ((ConnectionManager)s!).EndAllForShutdown(), manager);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _heartbeat ??= RunAsync(_stopping.Token);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _manager.EndAllForShutdown();
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_heartbeat is { } heartbeat)
        {
            await heartbeat.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(s_handlerDrainLimit);
        await _manager.DrainHandlersAsync(limit.Token).ConfigureAwait(false);
    }

    public void Dispose() => _stopping.Dispose();

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    _manager.Beat();
                }
#pragma warning disable CA1031 // One failed beat must not stop the next.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    Log.HeartbeatFailed(_logger, ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private static partial class Log
    {
        [LoggerMessage(3, LogLevel.Error, "The heartbeat failed.", EventName = "HeartbeatFailed")]
        public static partial void HeartbeatFailed(ILogger logger, Exception exception);
    }
}
