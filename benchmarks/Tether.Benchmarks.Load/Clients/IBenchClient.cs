namespace Tether.Benchmarks.Load.Clients;

/// <summary>One connection of a target under test: it sends text and reports every text it receives.</summary>
internal interface IBenchClient : IAsyncDisposable
{
    /// <summary>Connects; <paramref name="received"/> runs for every message the server sends to this connection.</summary>
    Task ConnectAsync(Action<string> received, CancellationToken cancellationToken);

    /// <summary>Sends one message (an echo target sends it back).</summary>
    Task SendAsync(string text);
}
