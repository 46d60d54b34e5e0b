using System.Text.Json;
using System.Text.RegularExpressions;
using Tether.Client;
using Xunit.Abstractions;

namespace Tether.Packaging.Tests;

/// <summary>The samples, run as their READMEs run them, briefly, end to end.</summary>
public sealed partial class SampleTests(ITestOutputHelper output)
{
    /// <summary>What ASP.NET Core's console log prints before the address it listens on.</summary>
    private const string AspNetCoreListening = "Now listening on: ";

    [Fact]
    public async Task The_stock_ticker_sends_every_price_on_connect_then_broadcasts_moves_from_its_background_service()
    {
        await using var ticker = StartSample("StockTicker", "--Ticker:Interval", "00:00:00.05");
        Uri url = await ticker.WaitForAddressAsync(AspNetCoreListening);

        await using var connection = new Connection(new Uri(url, "ticker").ToString());
        var quotes = connection.AsObservable<JsonElement>();
        var received = new List<(string Symbol, decimal Price)>();
        var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = quotes.Subscribe(new Observer(quote =>
        {
            lock (received)
            {
                received.Add((quote.GetProperty("Symbol").GetString()!, quote.GetProperty("Price").GetDecimal()));
                if (received.Count == 6)
                {
                    enough.TrySetResult();
                }
            }
        }));
        await connection.StartAsync().DefaultTimeout();
        await enough.Task.DefaultTimeout();

        lock (received)
        {
            // OnConnected sends one quote per stock (to the connection's topic) and the TickerService broadcasts
            // moves (to the connection type's topic); the two topics interleave in any order.
            Assert.Equal(["CONTOSO", "FABRIKAM", "NORTHWIND"], received.Select(q => q.Symbol).Distinct().Order());
            Assert.All(received, q => Assert.True(q.Price > 0));
        }
    }

    [Fact]
    public async Task The_Rx_client_prints_the_moves_of_the_stock_ticker_and_stops_after_the_count()
    {
        await using var ticker = StartSample("StockTicker", "--Ticker:Interval", "00:00:00.05");
        Uri url = await ticker.WaitForAddressAsync(AspNetCoreListening);

        await using var client = StartSample("RxClient", new Uri(url, "ticker").ToString(), "--count", "4");
        Assert.Equal(0, await client.WaitForExitAsync());
        string transcript = client.Transcript();
        Assert.Equal(4, MoveLine().Count(transcript));
        Assert.Contains("state: Connecting -> Connected", transcript, StringComparison.Ordinal);
        Assert.EndsWith("stopped", transcript, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_chat_serves_its_page_and_broadcasts_what_a_client_says()
    {
        await using var chat = StartSample("Chat");
        Uri url = await chat.WaitForAddressAsync(AspNetCoreListening);
        using var http = new HttpClient { BaseAddress = url };
        string page = await http.GetStringAsync("/").DefaultTimeout();
        Assert.Contains("<script src=\"lib/jquery.signalR.min.js\"></script>", page, StringComparison.Ordinal);

        await using var connection = new Connection(new Uri(url, "chat").ToString());
        var said = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = connection.AsObservable<JsonElement>().Subscribe(new Observer(line =>
        {
            if (line.GetProperty("Text").GetString() == "hello, room")
            {
                said.TrySetResult(line);
            }
        }));
        await connection.StartAsync().DefaultTimeout();
        await connection.SendAsync("hello, room").DefaultTimeout();
        var line = await said.Task.DefaultTimeout();
        Assert.Equal("guest-" + connection.ConnectionId![..4], line.GetProperty("From").GetString());
    }

    private ChildProcess StartSample(string name, params string[] args)
    {
        string folder = RepositoryRoot.Combine("samples", name);
        string dll = Path.Combine(folder, "bin", RepositoryRoot.BuildConfiguration, "net10.0", name + ".dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: the test project references the samples, so building it builds them.");
        string[] urls = name == "RxClient" ? [] : ["--urls", "http://127.0.0.1:0"];
        return ChildProcess.Start(output, ChildProcess.DotnetHost, ["exec", dll, .. urls, .. args], folder);
    }

    [GeneratedRegex(@"^(CONTOSO|FABRIKAM|NORTHWIND) +\d+\.\d\d (up|down) +\d+\.\d\d$", RegexOptions.Multiline)]
    private static partial Regex MoveLine();

    /// <summary>An observer that hands each value to a callback.</summary>
    private sealed class Observer(Action<JsonElement> onNext) : IObserver<JsonElement>
    {
        public void OnNext(JsonElement value) => onNext(value);

        public void OnError(Exception error)
        {
        }

        public void OnCompleted()
        {
        }
    }
}
