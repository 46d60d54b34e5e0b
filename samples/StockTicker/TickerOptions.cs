namespace StockTicker;

/// <summary>The <c>Ticker</c> configuration section.</summary>
public sealed class TickerOptions
{
    /// <summary>Time between two price changes. Default: 1 s (<c>--Ticker:Interval 00:00:00.2</c> on the command line).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);
}
