using System.Net.Http.Headers;
using System.Text.Json;

namespace Tether.Benchmarks.Attacks.Infrastructure;

/// <summary>A negotiated connection: its endpoint (<c>echo</c>, <c>broadcast</c>), id and token.</summary>
internal sealed record Negotiation(string Endpoint, string ConnectionId, string Token)
{
    /// <summary>The classic query of every request after negotiate.</summary>
    public string Query(string transport) =>
        $"transport={transport}&clientProtocol=2.1&connectionToken={Uri.EscapeDataString(Token)}";
}

/// <summary>A whole HTTP answer as the attacker sees it.</summary>
internal sealed record HttpAnswer(int Status, byte[] Body, string? RetryAfter);

/// <summary>Classic protocol requests over a real HttpClient, every one counted in a <see cref="Tally"/>.</summary>
internal sealed class ProtocolClient(Uri baseUri, Tally tally) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(150) };

    public Uri BaseUri => baseUri;

    public async Task<Negotiation> NegotiateAsync(string endpoint)
    {
        var answer = await GetAsync($"{endpoint}/negotiate?clientProtocol=2.1");
        if (answer.Status != 200)
        {
            throw new InvalidOperationException($"negotiate on /{endpoint} answered {answer.Status}");
        }

        using var json = JsonDocument.Parse(answer.Body);
        return new Negotiation(endpoint, json.RootElement.GetProperty("ConnectionId").GetString()!, json.RootElement.GetProperty("ConnectionToken").GetString()!);
    }

    /// <summary>Negotiates, connects over long polling and starts, as a classic client does; returns the cursor too.</summary>
    public async Task<(Negotiation Connection, string Cursor)> OpenLongPollingAsync(string endpoint)
    {
        var connection = await NegotiateAsync(endpoint);
        var init = PersistentResponse.Parse((await ConnectLongPollingAsync(connection)).Body);
        await StartAsync(connection, endpoint);
        return (connection, init.Cursor!);
    }

    public Task<HttpAnswer> ConnectLongPollingAsync(Negotiation connection) =>
        PostAsync($"{connection.Endpoint}/connect?{connection.Query("longPolling")}", null);

    public Task<HttpAnswer> StartAsync(Negotiation connection, string endpoint) =>
        GetAsync($"{endpoint}/start?{connection.Query("longPolling")}");

    public Task<HttpAnswer> AbortAsync(Negotiation connection, string endpoint) =>
        PostAsync($"{endpoint}/abort?{connection.Query("longPolling")}", null);

    public Task<HttpAnswer> SendAsync(Negotiation connection, byte[] form) =>
        PostAsync($"{connection.Endpoint}/send?{connection.Query("longPolling")}", form);

    public Task<HttpAnswer> PollAsync(Negotiation connection, string messageId, CancellationToken cancellationToken = default) =>
        PostAsync($"{connection.Endpoint}/poll?{connection.Query("longPolling")}&messageId={Uri.EscapeDataString(messageId)}", null, cancellationToken);

    public Task<HttpAnswer> GetAsync(string pathAndQuery, CancellationToken cancellationToken = default) =>
        SendRequestAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(baseUri, pathAndQuery)), 0, cancellationToken);

    public Task<HttpAnswer> PostAsync(string pathAndQuery, byte[]? form, CancellationToken cancellationToken = default)
    {
        var content = new ByteArrayContent(form ?? []);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        return SendRequestAsync(new HttpRequestMessage(HttpMethod.Post, new Uri(baseUri, pathAndQuery)) { Content = content }, form?.Length ?? 0, cancellationToken);
    }

    public void Dispose() => _http.Dispose();

    private async Task<HttpAnswer> SendRequestAsync(HttpRequestMessage request, long bodyBytes, CancellationToken cancellationToken)
    {
        using (request)
        {
            tally.Sent(request.RequestUri!.PathAndQuery.Length + bodyBytes);
            using var response = await _http.SendAsync(request, cancellationToken);
            byte[] body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            tally.Received(body.Length);
            tally.Status((int)response.StatusCode);
            string? retryAfter = response.Headers.RetryAfter?.ToString();
            return new HttpAnswer((int)response.StatusCode, body, retryAfter);
        }
    }
}
