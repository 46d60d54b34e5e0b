using Tether.Cli.Output;

namespace Tether.Cli.Demo;

/// <summary>Sends each message to every connection of <c>/broadcast</c>, the sender included.</summary>
internal sealed class BroadcastConnection : ConsoleLoggingConnection
{
    /// <summary>The path <c>tether serve</c> maps this connection at.</summary>
    public const string MappedPath = "/broadcast";

    /// <summary>Creates the connection.</summary>
    /// <param name="sink">Where events are printed.</param>
    public BroadcastConnection(ConsoleSink sink)
        : base(sink)
    {
    }

    /// <inheritdoc />
    protected override string Path => MappedPath;

    /// <inheritdoc />
    protected override Task Reply(string connectionId, string? data) => Connection.Broadcast(data);
}
