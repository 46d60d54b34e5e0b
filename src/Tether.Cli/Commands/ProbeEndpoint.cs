using System.Diagnostics;
using Tether.Protocol;

namespace Tether.Cli.Commands;

/// <summary>The endpoint <c>tether probe</c> checks: its URL, the query string and headers of every request, and raw requests to it.</summary>
internal sealed class ProbeEndpoint : IDisposable
{
    private readonly string? _query;

    /// <summary>Creates the endpoint.</summary>
    /// <param name="url">The endpoint URL without query string.</param>
    /// <param name="query">The query string sent on every request, without <c>?</c>, or <see langword="null"/>.</param>
    /// <param name="headers">The headers sent on every request.</param>
    public ProbeEndpoint(string url, string? query, IReadOnlyDictionary<string, string> headers)
    {
        Url = url.TrimEnd('/');
        _query = query;
        Headers = headers;
        Http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
    }

    public string Url { get; }

    public string? Query => _query;

    public IReadOnlyDictionary<string, string> Headers { get; }

    public HttpClient Http { get; }

    /// <summary>Negotiates: the answer, or why there is none, and how long it took.</summary>
    public async Task<(NegotiationAnswer? Answer, string? Error, double Milliseconds)> NegotiateAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            using var request = Request(HttpMethod.Get, Url + "/negotiate?clientProtocol=" + ProtocolConstants.ClientProtocolVersion + Extra());
            using var response = await Http.SendAsync(request, limit.Token).ConfigureAwait(false);
            string body = await response.Content.ReadAsStringAsync(limit.Token).ConfigureAwait(false);
            double elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (!response.IsSuccessStatusCode)
            {
                return (null, $"negotiate answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}", elapsed);
            }

            var answer = NegotiationAnswer.Parse(body);
            return answer.IsAspNetCoreSignalR
                ? (null, "this is an ASP.NET Core SignalR endpoint, which speaks another protocol than classic SignalR", elapsed)
                : (answer, null, elapsed);
        }
        catch (Exception ex) when (ex is HttpRequestException or FormatException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            string reason = ex is OperationCanceledException ? $"no answer within {timeout.TotalSeconds:0.#} s" : ex.Message.Trim();
            return (null, "negotiate failed: " + reason, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    /// <summary>A fresh connection token for a raw check, or <see langword="null"/> when negotiate fails now.</summary>
    public async Task<string?> NegotiateTokenAsync(CancellationToken cancellationToken) =>
        (await NegotiateAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false)).Answer?.ConnectionToken;

    /// <summary>The URL of a receive request, as the .NET client builds it.</summary>
    public string ReceiveUrl(string operation, string transport, string token) =>
        $"{Url}/{operation}?transport={transport}&clientProtocol={ProtocolConstants.ClientProtocolVersion}&connectionToken={Uri.EscapeDataString(token)}{Extra()}";

    /// <summary>The WebSocket URL of <c>/connect</c>.</summary>
    public Uri WebSocketUri(string token)
    {
        var builder = new UriBuilder(ReceiveUrl("connect", TransportNames.WebSockets, token));
        builder.Scheme = builder.Scheme == Uri.UriSchemeHttps ? "wss" : "ws";
        return builder.Uri;
    }

    /// <summary>A request with the endpoint's headers.</summary>
    public HttpRequestMessage Request(HttpMethod method, string url)
    {
        var request = new HttpRequestMessage(method, url);
        foreach (var header in Headers)
        {
            request.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        return request;
    }

    public void Dispose() => Http.Dispose();

    private string Extra() => string.IsNullOrEmpty(_query) ? string.Empty : "&" + _query;
}
