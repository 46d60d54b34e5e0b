using System.Diagnostics;
using Tether.Cli.Output;
using Tether.Client;
using Tether.Client.Http;
using Tether.Protocol;

namespace Tether.Cli.Commands;

/// <summary>
/// Runs the probe: negotiates, then for each transport connects a Tether.Client connection, sends one message and
/// waits briefly for it to come back (an echo endpoint returns it; any other is checked for connect and start only),
/// and stops. A transport that fails gets a raw check that says why, where one can.
/// </summary>
/// <param name="endpoint">The endpoint.</param>
/// <param name="timeout">The bound of negotiate and of each transport's start.</param>
/// <param name="echoTimeout">How long to wait for the echo.</param>
internal sealed class ProbeRunner(ProbeEndpoint endpoint, TimeSpan timeout, TimeSpan echoTimeout)
{
    /// <summary>The transports, in the order a client tries them.</summary>
    public static readonly IReadOnlyList<string> TransportsInOrder = [TransportNames.WebSockets, TransportNames.ServerSentEvents, TransportNames.LongPolling];

    /// <summary>Runs every check; <paramref name="progress"/> hears of each result as it comes.</summary>
    public async Task<ProbeReport> RunAsync(Action<string>? progress, CancellationToken cancellationToken)
    {
        var (answer, error, milliseconds) = await endpoint.NegotiateAsync(timeout, cancellationToken).ConfigureAwait(false);
        var negotiate = new NegotiateResult(answer is not null, milliseconds, error, answer is null ? null : Settings(answer));
        progress?.Invoke(answer is null ? "negotiate failed" : "negotiated");
        var results = new List<TransportResult>();
        foreach (string transport in TransportsInOrder)
        {
            var result = answer is null
                ? new TransportResult(transport, TransportStatus.Failed, null, EchoStatus.NotTried, null, "negotiate failed", null)
                : await ProbeAsync(transport, answer, cancellationToken).ConfigureAwait(false);
            results.Add(result);
            progress?.Invoke(transport + ": " + result.Status.ToString().ToLowerInvariant());
        }

        return new ProbeReport(endpoint.Url, negotiate, results);
    }

    private static AdvertisedSettings Settings(NegotiationAnswer answer) => new(
        answer.ProtocolVersion,
        answer.KeepAliveTimeout,
        answer.DisconnectTimeout,
        answer.ConnectionTimeout,
        answer.TransportConnectTimeout,
        answer.LongPollDelay,
        answer.TryWebSockets);

    private async Task<TransportResult> ProbeAsync(string transport, NegotiationAnswer answer, CancellationToken cancellationToken)
    {
        if (transport == TransportNames.WebSockets && !answer.TryWebSockets)
        {
            return new TransportResult(transport, TransportStatus.NotOffered, null, EchoStatus.NotTried, null, null,
                "the server does not offer WebSockets (its negotiate answer says TryWebSockets: false): they are turned off on the server, or not available where it runs.");
        }

        using var http = new DefaultHttpClient();
        using var clientTransport = ConnectCommand.CreateTransport(transport, http);
        var connection = new Connection(endpoint.Url, endpoint.Query);
        await using var disposeConnection = connection.ConfigureAwait(false);
        foreach (var header in endpoint.Headers)
        {
            connection.Headers[header.Key] = header.Value;
        }

        string marker = "tether-probe-" + Guid.NewGuid().ToString("N");
        var echoed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Received += data =>
        {
            if (data == marker)
            {
                echoed.TrySetResult();
            }
        };

        long started = Stopwatch.GetTimestamp();
        using (var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            limit.CancelAfter(timeout);
            try
            {
                await connection.StartAsync(clientTransport, limit.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                string reason = ex is OperationCanceledException ? $"not connected within {timeout.TotalSeconds:0.#} s" : ErrorText.Describe(ex);
                return new TransportResult(transport, TransportStatus.Failed, null, EchoStatus.NotTried, null, reason, await DiagnoseAsync(transport, answer, cancellationToken).ConfigureAwait(false));
            }
        }

        double connectMilliseconds = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        long sent = Stopwatch.GetTimestamp();
        await connection.SendAsync(marker, cancellationToken).ConfigureAwait(false);
        bool echo = await Task.WhenAny(echoed.Task, Task.Delay(echoTimeout, cancellationToken)).ConfigureAwait(false) == echoed.Task;
        double? echoMilliseconds = echo ? Stopwatch.GetElapsedTime(sent).TotalMilliseconds : null;
        using (var stop = new CancellationTokenSource(ConnectCommand.StopTimeout))
        {
            await connection.StopAsync(stop.Token).ConfigureAwait(false);
        }

        return new TransportResult(transport, TransportStatus.Ok, connectMilliseconds, echo ? EchoStatus.Ok : EchoStatus.NoEcho, echoMilliseconds, null, null);
    }

    private Task<string?> DiagnoseAsync(string transport, NegotiationAnswer answer, CancellationToken cancellationToken) => transport switch
    {
        TransportNames.WebSockets => ProbeDiagnosis.WebSocketsAsync(endpoint, timeout, cancellationToken),
        TransportNames.ServerSentEvents => ProbeDiagnosis.ServerSentEventsAsync(endpoint, InitBound(answer), cancellationToken),
        _ => Task.FromResult<string?>(null),
    };

    /// <summary>How long an init message may take: what the server advertises (at least 2 s), within the probe's timeout.</summary>
    private TimeSpan InitBound(NegotiationAnswer answer) =>
        TimeSpan.FromSeconds(Math.Min(timeout.TotalSeconds, Math.Max(2, answer.TransportConnectTimeout)));
}
