using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Tether.Cli.Demo;
using Tether.Cli.Hosting;
using Tether.Cli.Output;
using Tether.Client;
using Tether.Client.Http;
using Tether.Protocol;

namespace Tether.Cli.Commands;

/// <summary>
/// <c>tether demo</c>: starts an embedded Tether server on <c>127.0.0.1</c> (a free port) and, over each transport in
/// turn (WebSockets, Server-Sent Events, long polling, then the automatic choice), connects a Tether.Client
/// <see cref="Connection"/> to <c>/echo</c>, sends three messages and checks their echoes, checks a broadcast from the
/// server, and stops. Both sides print what happens. Every wait is bounded: the command exits 0 when every exchange
/// succeeded, or 1 with one line on stderr saying what did not happen.
/// </summary>
internal sealed class DemoCommand : Command
{
    /// <summary>The transports the demo goes through, in order (<c>auto</c> last).</summary>
    public static readonly IReadOnlyList<string> Transports =
        [TransportNames.WebSockets, TransportNames.ServerSentEvents, TransportNames.LongPolling, ConnectCommand.AutoTransportName];

    /// <summary>How many messages are echoed over each transport.</summary>
    public const int EchoCount = 3;

    /// <summary>The most any one step (start the server, connect, an echo, the broadcast, a stop) may take.</summary>
    public static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(10);

    private readonly ConsoleSink _sink;

    /// <summary>Creates the command.</summary>
    /// <param name="sink">Where the command prints.</param>
    public DemoCommand(ConsoleSink sink)
        : base("demo", "Start an embedded server and a Tether.Client that exchange messages over each transport in turn, printing both sides; exits when done.")
    {
        _sink = sink;
        SetAction(InvokeAsync);
    }

    private async Task<int> InvokeAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        // System.CommandLine handles Ctrl+C only once the action has returned its task: return it before the server
        // starts, which runs synchronously for a while, so that Ctrl+C during the start stops the demo cleanly.
        await Task.Yield();
        var elapsed = Stopwatch.StartNew();
        var step = new Step("starting the embedded server");
        EmbeddedServer? server = null;
        try
        {
            server = await step.RunAsync(ct => EmbeddedServer.StartAsync(_sink, ct), cancellationToken).ConfigureAwait(false);
            _sink.Info($"Tether demo: an embedded Tether server on {server.BaseUri} and a Tether.Client connection to its {EchoConnection.MappedPath} endpoint (which replies to the sender), over each transport in turn.");
            _sink.Info($"Lines with \"{EchoConnection.MappedPath}\" are printed by the server, lines with \"client\" by the client.");

            var used = new List<string>();
            foreach (string transport in Transports)
            {
                _sink.Info(string.Empty);
                _sink.Info($"== {transport}");
                used.Add(await ExchangeAsync(server, transport, step, cancellationToken).ConfigureAwait(false));
            }

            _sink.Info(string.Empty);
            step.Describe("stopping the embedded server");
            await step.RunAsync(ct => server.StopAsync(ct), cancellationToken).ConfigureAwait(false);
            string summary = string.Join(", ", Transports.Select((t, i) => t == used[i] ? t : $"{t} (picked {used[i]})"));
            _sink.Info(string.Create(CultureInfo.InvariantCulture,
                $"Demo done in {elapsed.Elapsed.TotalSeconds:0.0} s: {EchoCount} echoes and a broadcast over {summary}."));
            return 0;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _sink.Error($"demo interrupted while {step.Description}");
            return 130;
        }
#pragma warning disable CA1031 // Any failure (a timeout, a refused start, a wrong echo) ends the demo with one line.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            string what = ex is TimeoutException && ex.Data.Contains(Step.TimeoutMarker) ? ex.Message : $"{step.Description}: {ErrorText.Describe(ex)}";
            _sink.Error("demo failed while " + what);
            return 1;
        }
        finally
        {
            if (server is not null)
            {
                // After a failure or Ctrl+C the server still runs: stop it (closing open requests at once) before disposing
                // it, so no request outlives its services. After a success this finds it stopped already.
                using var now = new CancellationTokenSource();
                await now.CancelAsync().ConfigureAwait(false);
                try
                {
                    await server.StopAsync(now.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Expected: the stop was told not to wait.
                }

                await server.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>One connection over one transport: start, three echoes, a broadcast, stop.</summary>
    /// <returns>The transport used (for <c>auto</c>, the one it picked).</returns>
    private async Task<string> ExchangeAsync(EmbeddedServer server, string transportName, Step step, CancellationToken cancellationToken)
    {
        using var http = new DefaultHttpClient();
        using var transport = ConnectCommand.CreateTransport(transportName, http);
        var connection = new Connection(server.Url(EchoConnection.MappedPath));
        await using var disposeConnection = connection.ConfigureAwait(false);
        ClientEventPrinter.Attach(connection, _sink, prefix: "client ", DisplayText.DefaultMaxLength);
        var received = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
        connection.Received += data => received.Writer.TryWrite(data);

        try
        {
            step.Describe($"connecting over {transportName}");
            await step.RunAsync(ct => connection.StartAsync(transport, ct), cancellationToken).ConfigureAwait(false);
            string used = ClientEventPrinter.TransportName(connection);
            if (transportName == ConnectCommand.AutoTransportName)
            {
                _sink.Event($"client auto picked {used}");
            }

            for (int i = 1; i <= EchoCount; i++)
            {
                string text = string.Create(CultureInfo.InvariantCulture, $"echo {i} of {EchoCount} over {used}");
                step.Describe($"sending '{text}' over {transportName}");
                _sink.Event($"client send: {text}");
                await step.RunAsync(ct => connection.SendAsync(text, ct), cancellationToken).ConfigureAwait(false);

                step.Describe($"waiting for the echo of '{text}' over {transportName}");
                await step.RunAsync(ct => ExpectAsync(received.Reader, text, ct), cancellationToken).ConfigureAwait(false);
            }

            string broadcast = $"broadcast from the server to every {EchoConnection.MappedPath} connection, over {used}";
            step.Describe($"broadcasting over {transportName}");
            _sink.Event($"{EchoConnection.MappedPath} broadcast: {broadcast}");
            await step.RunAsync(ct => server.Echo.Connection.Broadcast(broadcast, [], ct), cancellationToken).ConfigureAwait(false);
            step.Describe($"waiting for the broadcast over {transportName}");
            await step.RunAsync(ct => ExpectAsync(received.Reader, broadcast, ct), cancellationToken).ConfigureAwait(false);

            step.Describe($"stopping the connection over {transportName}");
            await step.RunAsync(ct => connection.StopAsync(ct), cancellationToken).ConfigureAwait(false);
            return used;
        }
        finally
        {
            // After a failure: stop at once rather than wait for an abort that may never be answered.
            using var now = new CancellationTokenSource();
            await now.CancelAsync().ConfigureAwait(false);
            await connection.StopAsync(now.Token).ConfigureAwait(false);
        }
    }

    private static async Task ExpectAsync(ChannelReader<string> received, string expected, CancellationToken cancellationToken)
    {
        string actual = await received.ReadAsync(cancellationToken).ConfigureAwait(false);
        if (actual != expected)
        {
            throw new InvalidOperationException($"received '{DisplayText.OneLine(actual)}' instead of '{DisplayText.OneLine(expected)}'");
        }
    }

    /// <summary>What the demo is doing, for the error line, and the bound on each step.</summary>
    private sealed class Step(string description)
    {
        /// <summary>Marks the <see cref="TimeoutException"/> of a step that took too long.</summary>
        public const string TimeoutMarker = "tether-demo-step";

        /// <summary>What the demo is doing, e.g. <c>waiting for the echo of 'echo 1 of 3 over webSockets'</c>.</summary>
        public string Description { get; private set; } = description;

        public void Describe(string description) => Description = description;

        public async Task RunAsync(Func<CancellationToken, Task> action, CancellationToken cancellationToken) =>
            await RunAsync(async ct =>
            {
                await action(ct).ConfigureAwait(false);
                return true;
            }, cancellationToken).ConfigureAwait(false);

        /// <summary>Runs a step with <see cref="StepTimeout"/>; its token fires at the timeout or on Ctrl+C.</summary>
        public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> action, CancellationToken cancellationToken)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(StepTimeout);
            try
            {
                // WaitAsync bounds even an action that ignores its token.
                return await action(timeout.Token).WaitAsync(StepTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when ((ex is TimeoutException || (ex is OperationCanceledException && timeout.IsCancellationRequested)) && !cancellationToken.IsCancellationRequested)
            {
                var error = new TimeoutException(string.Create(CultureInfo.InvariantCulture,
                    $"{Description}: nothing happened within {StepTimeout.TotalSeconds} s"), ex);
                error.Data[TimeoutMarker] = true;
                throw error;
            }
        }
    }
}
