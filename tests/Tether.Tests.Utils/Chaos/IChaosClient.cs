namespace Tether.Tests.Utils.Chaos;

/// <summary>A started client under chaos: the official client or Tether.Client, behind one small surface.</summary>
public interface IChaosClient : IAsyncDisposable
{
    /// <summary>The connection id (the same across reconnects).</summary>
    string ConnectionId { get; }

    /// <summary>The messages received, in order.</summary>
    IReadOnlyList<string> Received { get; }

    /// <summary>How many times the client raised Reconnected.</summary>
    int Reconnects { get; }

    /// <summary>Whether the connection ended without the test stopping it (the client gave up).</summary>
    bool GaveUp { get; }

    /// <summary>The client's events, for failure messages.</summary>
    string Describe();

    /// <summary>Sends one message; completes when the client considers it sent.</summary>
    Task SendAsync(string data);

    /// <summary>Completes once a message equal to <paramref name="data"/> has arrived.</summary>
    Task WaitForMessage(string data);

    /// <summary>Stops the connection (the client sends <c>/abort</c>).</summary>
    Task StopAsync();
}
