using System.Net;
using System.Net.Sockets;
using System.Text;
using Tether.Client.Http;
using Tether.Tests.Utils;

namespace Tether.Client.Tests;

/// <summary>
/// <see cref="DefaultHttpClient"/> sends through its handlers directly: a request in flight when the handlers are
/// replaced (a new start) or released ends on its own, answered; only requests made after <c>Dispose</c> fail.
/// </summary>
public sealed class DefaultHttpClientTests : IAsyncDisposable
{
    private readonly HoldingServer _server = new();

    [Fact]
    public async Task InitializeAgain_RequestInFlightIsAnswered_NewRequestsUseTheNewHandler()
    {
        var connection = new Connection(_server.Url("echo"));
        using var client = new DefaultHttpClient();
        client.Initialize(connection);

        Task<HttpResponseMessage> held = client.SendAsync(new HttpRequestMessage(HttpMethod.Post, _server.Url("hold")), isLongRunning: true, CancellationToken.None);
        await _server.Held.Task.DefaultTimeout();

        client.Initialize(connection);
        using (HttpResponseMessage answered = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, _server.Url("ok")), isLongRunning: true, CancellationToken.None).DefaultTimeout())
        {
            Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        }

        Assert.False(held.IsCompleted);
        _server.Release();
        using HttpResponseMessage released = await held.DefaultTimeout();
        Assert.Equal("held", await released.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Dispose_RequestInFlightIsAnswered_LaterRequestsThrowObjectDisposed()
    {
        var connection = new Connection(_server.Url("echo"));
        var client = new DefaultHttpClient();
        client.Initialize(connection);

        Task<HttpResponseMessage> held = client.SendAsync(new HttpRequestMessage(HttpMethod.Post, _server.Url("hold")), isLongRunning: false, CancellationToken.None);
        await _server.Held.Task.DefaultTimeout();
        client.Dispose();

        Assert.IsType<ObjectDisposedException>(Sync.Catch(() => { client.SendAsync(new HttpRequestMessage(HttpMethod.Get, _server.Url("ok")), isLongRunning: false, CancellationToken.None); }));
        _server.Release();
        using HttpResponseMessage released = await held.DefaultTimeout();
        Assert.Equal("held", await released.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task RequestInFlight_IsCancelledByItsToken()
    {
        using var client = new DefaultHttpClient();
        client.Initialize(new Connection(_server.Url("echo")));
        using var cts = new CancellationTokenSource();
        Task<HttpResponseMessage> held = client.SendAsync(new HttpRequestMessage(HttpMethod.Post, _server.Url("hold")), isLongRunning: true, cts.Token);
        await _server.Held.Task.DefaultTimeout();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => held).DefaultTimeout();
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    /// <summary>A minimal HTTP/1.1 server: <c>/hold</c> is answered once <see cref="Release"/> is called, anything else at once.</summary>
    private sealed class HoldingServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _accepting;

        public HoldingServer()
        {
            _listener.Start();
            _accepting = AcceptAsync();
        }

        /// <summary>Completes once a <c>/hold</c> request has been read.</summary>
        public TaskCompletionSource Held { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Url(string path) => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/{path}";

        public void Release() => _release.TrySetResult();

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            _release.TrySetResult();
            try
            {
                await _accepting;
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // Stopped.
            }

            _stop.Dispose();
        }

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = ServeAsync(client);
            }
        }

        private async Task ServeAsync(TcpClient client)
        {
            using (client)
            {
                NetworkStream stream = client.GetStream();
                byte[] buffer = new byte[8192];
                var request = new StringBuilder();
                try
                {
                    while (true)
                    {
                        while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                        {
                            int read = await stream.ReadAsync(buffer, _stop.Token);
                            if (read == 0)
                            {
                                return;
                            }

                            request.Append(Encoding.ASCII.GetString(buffer, 0, read));
                        }

                        string text = request.ToString();
                        request.Clear();
                        string body = "ok";
                        if (text.Contains(" /hold ", StringComparison.Ordinal))
                        {
                            Held.TrySetResult();
                            await _release.Task.WaitAsync(_stop.Token);
                            body = "held";
                        }

                        byte[] response = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\n\r\n{body}");
                        await stream.WriteAsync(response, _stop.Token);
                    }
                }
                catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
                {
                    // The client or the server went away.
                }
            }
        }
    }
}
