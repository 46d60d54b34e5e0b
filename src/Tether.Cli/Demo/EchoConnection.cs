using Tether.Cli.Output;

namespace Tether.Cli.Demo;

/// <summary>Replies to the sender with exactly the data it received.</summary>
internal sealed class EchoConnection : ConsoleLoggingConnection
{
    /// <summary>The path <c>tether serve</c> maps this connection at.</summary>
    public const string MappedPath = "/echo";

    /// <summary>Creates the connection.</summary>
    /// <param name="sink">Where events are printed.</param>
    public EchoConnection(ConsoleSink sink)
        : base(sink)
    {
    }

    /// <inheritdoc />
    protected override string Path => MappedPath;

    /// <inheritdoc />
    protected override Task Reply(string connectionId, string? data) => Connection.Send(connectionId, data);
}
