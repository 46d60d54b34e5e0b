namespace StockTicker;

/// <summary>The prices of a few stocks, moved at random (seeded, so every run moves them the same way).</summary>
public sealed class Market
{
    private readonly Random _random = new(42);
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (decimal Open, decimal Price)> _stocks = new()
    {
        ["CONTOSO"] = (41.20m, 41.20m),
        ["FABRIKAM"] = (112.75m, 112.75m),
        ["NORTHWIND"] = (8.05m, 8.05m),
    };

    /// <summary>The current price of every stock.</summary>
    public IReadOnlyList<StockQuote> Quotes()
    {
        lock (_lock)
        {
            return _stocks.Select(s => new StockQuote(s.Key, s.Value.Price, s.Value.Price - s.Value.Open)).ToList();
        }
    }

    /// <summary>Moves one stock, chosen at random, by up to 1 % either way, and returns its new quote.</summary>
    public StockQuote Move()
    {
        lock (_lock)
        {
            string symbol = _stocks.Keys.ElementAt(_random.Next(_stocks.Count));
            var (open, price) = _stocks[symbol];
            decimal percent = (decimal)(_random.NextDouble() * 2 - 1) / 100;
            price = Math.Max(0.01m, Math.Round(price * (1 + percent), 2));
            _stocks[symbol] = (open, price);
            return new StockQuote(symbol, price, price - open);
        }
    }
}
