using System.Globalization;
using System.Threading.Channels;
using Tether.Cli.Demo;
using Tether.Cli.Hosting;
using Tether.Cli.Output;
using Tether.Client;
using Tether.Client.Http;

namespace Tether.Cli.Commands;

/// <summary>
/// The persistent-connection part of <c>tether demo</c> over one transport: a Tether.Client <see cref="Connection"/> to
/// <c>/echo</c> starts, sends <see cref="EchoCount"/> messages and checks their echoes, checks a broadcast from the
/// server, and stops.
/// </summary>
/// <param name="server">The embedded server.</param>
/// <param name="sink">Where both sides print.</param>
/// <param name="step">The step being run, for the error line.</param>
internal sealed class DemoEchoExchange(EmbeddedServer server, ConsoleSink sink, DemoStep step)
{
    /// <summary>How many messages are echoed over each transport.</summary>
    public const int EchoCount = 3;

    /// <summary>Runs the exchange.</summary>
    /// <param name="transportName">The transport, or <c>auto</c>.</param>
    /// <param name="cancellationToken">Ctrl+C.</param>
    /// <returns>The transport used (for <c>auto</c>, the one it picked).</returns>
    public async Task<string> RunAsync(string transportName, CancellationToken cancellationToken)
    {
        using var http = new DefaultHttpClient();
        using var transport = ConnectCommand.CreateTransport(transportName, http);
        var connection = new Connection(server.Url(EchoConnection.MappedPath));
        await using var disposeConnection = connection.ConfigureAwait(false);
        ClientEventPrinter.Attach(connection, sink, prefix: "client ", DisplayText.DefaultMaxLength);
        var received = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
        connection.Received += data => received.Writer.TryWrite(data);

        try
        {
            step.Describe($"connecting over {transportName}");
            await step.RunAsync(ct => connection.StartAsync(transport, ct), cancellationToken).ConfigureAwait(false);
            string used = ClientEventPrinter.TransportName(connection);
            if (transportName == ConnectCommand.AutoTransportName)
            {
                sink.Event($"client auto picked {used}");
            }

            for (int i = 1; i <= EchoCount; i++)
            {
                string text = string.Create(CultureInfo.InvariantCulture, $"echo {i} of {EchoCount} over {used}");
                step.Describe($"sending '{text}' over {transportName}");
                sink.Event($"client send: {text}");
                await step.RunAsync(ct => connection.SendAsync(text, ct), cancellationToken).ConfigureAwait(false);

                step.Describe($"waiting for the echo of '{text}' over {transportName}");
                await step.RunAsync(ct => ExpectAsync(received.Reader, text, ct), cancellationToken).ConfigureAwait(false);
            }

            string broadcast = $"broadcast from the server to every {EchoConnection.MappedPath} connection, over {used}";
            step.Describe($"broadcasting over {transportName}");
            sink.Event($"{EchoConnection.MappedPath} broadcast: {broadcast}");
            await step.RunAsync(ct => server.Echo.Connection.Broadcast(broadcast, [], ct), cancellationToken).ConfigureAwait(false);
            step.Describe($"waiting for the broadcast over {transportName}");
            await step.RunAsync(ct => ExpectAsync(received.Reader, broadcast, ct), cancellationToken).ConfigureAwait(false);

            step.Describe($"stopping the connection over {transportName}");
            await step.RunAsync(ct => connection.StopAsync(ct), cancellationToken).ConfigureAwait(false);
            return used;
        }
        finally
        {
            await StopAtOnceAsync(connection).ConfigureAwait(false);
        }
    }

    /// <summary>After a failure: stops a connection at once rather than wait for an abort that may never be answered.</summary>
    /// <param name="connection">The connection; stopping one already stopped does nothing.</param>
    /// <returns>A task that completes when the connection is stopped.</returns>
    public static async Task StopAtOnceAsync(Connection connection)
    {
        using var now = new CancellationTokenSource();
        await now.CancelAsync().ConfigureAwait(false);
        await connection.StopAsync(now.Token).ConfigureAwait(false);
    }

    private static async Task ExpectAsync(ChannelReader<string> received, string expected, CancellationToken cancellationToken)
    {
        string actual = await received.ReadAsync(cancellationToken).ConfigureAwait(false);
        if (actual != expected)
        {
            throw new InvalidOperationException($"received '{DisplayText.OneLine(actual)}' instead of '{DisplayText.OneLine(expected)}'");
        }
    }
}
