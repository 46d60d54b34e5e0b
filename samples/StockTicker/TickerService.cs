using Microsoft.Extensions.Options;
using Tether.Server;
using Tether.Server.Messaging;

namespace StockTicker;

/// <summary>
/// Moves a price every <see cref="TickerOptions.Interval"/> and broadcasts it to every client of
/// <see cref="StockTickerConnection"/>, from outside any request, through <see cref="IPersistentConnectionContext{T}"/>.
/// </summary>
public sealed partial class TickerService(
    Market market,
    IPersistentConnectionContext<StockTickerConnection> ticker,
    IOptions<TickerOptions> options,
    ILogger<TickerService> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var quote = market.Move();
            try
            {
                await ticker.Connection.Broadcast(quote, [], stoppingToken);
            }
            catch (MessageBusUnavailableException ex)
            {
                LogBroadcastFailed(logger, quote.Symbol, ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The price of {Symbol} could not be broadcast.")]
    private static partial void LogBroadcastFailed(ILogger logger, string symbol, Exception exception);
}
