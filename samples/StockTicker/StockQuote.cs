namespace StockTicker;

/// <summary>One price of one stock, as clients receive it.</summary>
/// <param name="Symbol">The ticker symbol.</param>
/// <param name="Price">The price now.</param>
/// <param name="Change">The difference from the opening price.</param>
public sealed record StockQuote(string Symbol, decimal Price, decimal Change);
