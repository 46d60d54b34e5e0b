using System.Globalization;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using RxClient;
using Tether.Client;

// Usage: RxClient [URL] [--count N]
//   URL      the stock ticker endpoint (default http://127.0.0.1:5000/ticker)
//   --count  stop after N price moves (default: run until Ctrl+C)
string url = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal) && !int.TryParse(a, out _)) ?? "http://127.0.0.1:5000/ticker";
int countIndex = Array.IndexOf(args, "--count");
int? count = countIndex >= 0 ? int.Parse(args[countIndex + 1], CultureInfo.InvariantCulture) : null;

await using var connection = new Connection(url);
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
connection.StateChanged += change => Console.WriteLine($"state: {change.OldState} -> {change.NewState}");

// Each quote paired with the previous quote of the same stock: a move up or down. Rx does the bookkeeping.
var moves = connection.AsObservable<StockQuote>()
    .GroupBy(quote => quote.Symbol)
    .SelectMany(stock => stock.Buffer(2, 1).Where(pair => pair.Count == 2))
    .Select(pair => (pair[1].Symbol, pair[1].Price, Delta: pair[1].Price - pair[0].Price));
if (count is { } n)
{
    moves = moves.Take(n);
}

var done = moves
    .Do(move => Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{move.Symbol,-10} {move.Price,8:0.00} {(move.Delta >= 0 ? "up" : "down"),-4} {Math.Abs(move.Delta):0.00}")))
    .LastOrDefaultAsync()
    .ToTask(stop.Token);

await connection.StartAsync(stop.Token);
Console.WriteLine($"connected to {url} over {connection.Transport?.Name}");
try
{
    await done;
}
catch (OperationCanceledException)
{
    // Ctrl+C.
}

await connection.StopAsync();
Console.WriteLine("stopped");
