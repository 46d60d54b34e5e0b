namespace RxClient;

/// <summary>A price as the stock ticker sample sends it.</summary>
/// <param name="Symbol">The ticker symbol.</param>
/// <param name="Price">The price now.</param>
/// <param name="Change">The difference from the opening price.</param>
internal sealed record StockQuote(string Symbol, decimal Price, decimal Change);
