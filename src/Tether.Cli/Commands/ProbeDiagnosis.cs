using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using Tether.Protocol;

namespace Tether.Cli.Commands;

/// <summary>
/// Raw checks run when a transport fails, to say why: whether the WebSocket upgrade was refused on the way (a proxy
/// that strips <c>Upgrade</c>), and whether a Server-Sent Events stream starts but holds back its events (a buffering proxy).
/// </summary>
internal static class ProbeDiagnosis
{
    /// <summary>Tries the upgrade with a fresh connection token and describes a refusal.</summary>
    public static async Task<string?> WebSocketsAsync(ProbeEndpoint endpoint, TimeSpan timeout, CancellationToken cancellationToken)
    {
        string? token = await endpoint.NegotiateTokenAsync(cancellationToken).ConfigureAwait(false);
        if (token is null)
        {
            return null;
        }

        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        foreach (var header in endpoint.Headers)
        {
            socket.Options.SetRequestHeader(header.Key, header.Value);
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(endpoint.WebSocketUri(token), limit.Token).ConfigureAwait(false);
            return "the WebSocket upgrade itself succeeds, so the failure came later (the init message did not arrive in time, or the connection was closed).";
        }
        catch (WebSocketException) when (socket.HttpStatusCode is not 0 and not HttpStatusCode.SwitchingProtocols)
        {
            return string.Create(
                CultureInfo.InvariantCulture,
                $"the WebSocket upgrade was refused (HTTP {(int)socket.HttpStatusCode}): a proxy or load balancer between here and the server probably strips the Upgrade and Connection headers or does not pass WebSockets. Enable WebSocket proxying there; clients fall back to Server-Sent Events or long polling meanwhile.");
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or HttpRequestException)
        {
            return "the WebSocket upgrade got no answer (" + ex.Message.Trim() + "): a proxy may hold or drop upgrade requests.";
        }
    }

    /// <summary>Opens a stream with a fresh token and times its headers and its first event.</summary>
    public static async Task<string?> ServerSentEventsAsync(ProbeEndpoint endpoint, TimeSpan bound, CancellationToken cancellationToken)
    {
        string? token = await endpoint.NegotiateTokenAsync(cancellationToken).ConfigureAwait(false);
        if (token is null)
        {
            return null;
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(bound);
        using var request = endpoint.Request(HttpMethod.Get, endpoint.ReceiveUrl("connect", TransportNames.ServerSentEvents, token));
        request.Headers.Accept.ParseAdd("text/event-stream");
        long started = Stopwatch.GetTimestamp();
        HttpResponseMessage response;
        try
        {
            response = await endpoint.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"the event stream's response did not even start within {Seconds(bound)}: a proxy between here and the server buffers responses (Server-Sent Events need buffering off, e.g. proxy_buffering off or the X-Accel-Buffering: no header).";
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                return string.Create(CultureInfo.InvariantCulture, $"the event stream was refused (HTTP {(int)response.StatusCode}).");
            }

            try
            {
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(limit.Token).ConfigureAwait(false));
                while (await reader.ReadLineAsync(limit.Token).ConfigureAwait(false) is { } line)
                {
                    if (line.StartsWith("data:", StringComparison.Ordinal))
                    {
                        return string.Create(CultureInfo.InvariantCulture, $"a raw event stream delivers its first event after {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms, so the failure came later.");
                    }
                }

                return "the event stream ended before its first event: a proxy probably cuts long-lived responses.";
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return $"the event stream started (headers after {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms) but no event arrived within {Seconds(bound)}: a proxy between here and the server buffers Server-Sent Events. Turn response buffering off for this path (e.g. proxy_buffering off, or the X-Accel-Buffering: no header); clients fall back to long polling meanwhile.";
            }
        }
    }

    private static string Seconds(TimeSpan value) => value.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + " s";
}
