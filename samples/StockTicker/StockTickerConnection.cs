using Tether.Server;

namespace StockTicker;

/// <summary>Sends a new client every current price; the <see cref="TickerService"/> broadcasts the changes.</summary>
public sealed class StockTickerConnection(Market market) : PersistentConnection
{
    /// <inheritdoc />
    protected override async Task OnConnected(IRequest request, string connectionId)
    {
        foreach (var quote in market.Quotes())
        {
            await Connection.Send(connectionId, quote);
        }
    }
}
