using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Tether.Cli.Demo;
using Tether.Cli.Hosting;
using Tether.Cli.Output;
using Tether.Protocol;

namespace Tether.Cli.Commands;

/// <summary>
/// <c>tether demo</c>: starts an embedded Tether server on <c>127.0.0.1</c> (a free port) and, over each transport in
/// turn (WebSockets, Server-Sent Events, long polling, then the automatic choice), runs both programming models: a
/// Tether.Client connection to the persistent connection <c>/echo</c> (<see cref="DemoEchoExchange"/>), then one to
/// the <c>chat</c> hub at <c>/signalr</c> (<see cref="DemoHubExchange"/>). Both sides print what happens. Every wait
/// is bounded: the command exits 0 when every exchange succeeded, or 1 with one line on stderr saying what did not happen.
/// </summary>
internal sealed class DemoCommand : Command
{
    /// <summary>The transports the demo goes through, in order (<c>auto</c> last).</summary>
    public static readonly IReadOnlyList<string> Transports =
        [TransportNames.WebSockets, TransportNames.ServerSentEvents, TransportNames.LongPolling, ConnectCommand.AutoTransportName];

    private readonly ConsoleSink _sink;

    /// <summary>Creates the command.</summary>
    /// <param name="sink">Where the command prints.</param>
    public DemoCommand(ConsoleSink sink)
        : base("demo", "Start an embedded server, then over each transport in turn a Tether.Client that exchanges messages with a persistent connection and calls a hub, printing both sides; exits when done.")
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
        var step = new DemoStep("starting the embedded server");
        EmbeddedServer? server = null;
        try
        {
            server = await step.RunAsync(ct => EmbeddedServer.StartAsync(_sink, ct), cancellationToken).ConfigureAwait(false);
            _sink.Info($"Tether demo: an embedded Tether server on {server.BaseUri}, and over each transport in turn a Tether.Client connection to its {EchoConnection.MappedPath} endpoint (a persistent connection that replies to the sender), then one to its {ChatHub.Name} hub at {ChatHub.MappedPath}.");
            _sink.Info($"Lines with \"{EchoConnection.MappedPath}\" or \"{ChatHub.MappedPath}\" are printed by the server, lines with \"client\" by the client.");

            var echo = new DemoEchoExchange(server, _sink, step);
            var used = new List<string>();
            foreach (string transport in Transports)
            {
                _sink.Info(string.Empty);
                _sink.Info($"== {transport}");
                used.Add(await echo.RunAsync(transport, cancellationToken).ConfigureAwait(false));
                _sink.Info(string.Empty);
                _sink.Info($"== {transport}, hub {ChatHub.Name}");
                await new DemoHubExchange(server, _sink, step).RunAsync(transport, cancellationToken).ConfigureAwait(false);
            }

            _sink.Info(string.Empty);
            step.Describe("stopping the embedded server");
            await step.RunAsync(ct => server.StopAsync(ct), cancellationToken).ConfigureAwait(false);
            string summary = string.Join(", ", Transports.Select((t, i) => t == used[i] ? t : $"{t} (picked {used[i]})"));
            _sink.Info(string.Create(CultureInfo.InvariantCulture,
                $"Demo done in {elapsed.Elapsed.TotalSeconds:0.0} s: {DemoEchoExchange.EchoCount} echoes and a broadcast, then the {ChatHub.Name} hub's calls, results, group and error, over {summary}."));
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
            string what = ex is TimeoutException && ex.Data.Contains(DemoStep.TimeoutMarker) ? ex.Message : $"{step.Description}: {ErrorText.Describe(ex)}";
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
}
