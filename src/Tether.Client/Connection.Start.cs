using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Tether.Client.Http;
using Tether.Client.Infrastructure;
using Tether.Client.Internal;
using Tether.Client.Internal.Transports;
using Tether.Client.Transports;
using Tether.Protocol;

namespace Tether.Client;

public partial class Connection
{
    private const int MaxRedirects = 100;
    private static readonly Version s_minimumSupportedVersion = new(1, 4);
    private static readonly Version s_maximumSupportedVersion = new(2, 1);
    private static readonly Version s_minimumRedirectVersion = new(2, 0);

    private Task StartCore(IClientTransport? transport, IHttpClient? httpClient, CancellationToken cancellationToken)
    {
        ClientTransportBase descriptor;
        DefaultHttpClient? owned = null;
        if (transport is null)
        {
            if (httpClient is null)
            {
                owned = new DefaultHttpClient();
                httpClient = owned;
            }

            descriptor = new AutoTransport(httpClient);
        }
        else
        {
            descriptor = transport as ClientTransportBase ?? throw new ArgumentException(Resources.CustomTransportNotSupported, nameof(transport));
        }

        ConnectionRun run;
        var started = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (_disposed)
            {
                owned?.Dispose();
                throw new ObjectDisposedException(GetType().Name);
            }

            if (_state != ConnectionState.Disconnected)
            {
                owned?.Dispose();
                return _startTask ?? Task.CompletedTask;
            }

            run = new ConnectionRun(descriptor, owned != null, _userUrl, _userQueryString, SendQueueLimit);
            _run = run;
            _transport = descriptor;
            _lastError = null;
            SetStateLocked(ConnectionState.Connecting);
            _startTask = started.Task;
            run.StartTask = started.Task;
        }

        Log.Starting(_logger, _userUrl);
        _ = RunStartAsync(run, started, waitForCallbacks: !_dispatcher.IsCurrent, cancellationToken);
        _ = SendLoopAsync(run);
        return started.Task;
    }

    private async Task RunStartAsync(ConnectionRun run, TaskCompletionSource<bool> started, bool waitForCallbacks, CancellationToken cancellationToken)
    {
        using CancellationTokenRegistration cancel = cancellationToken.Register(static s => ((ConnectionRun)s!).DisconnectCts.Cancel(), run);
        try
        {
            run.ConnectionData = OnSending();
            foreach (IHttpClient client in DistinctHttpClients(run.Descriptor))
            {
                client.Initialize(this);
            }

            await EstablishAsync(run, isRetry: false).ConfigureAwait(false);
            Log.Started(_logger, run.ActiveAttempt?.Session.Name ?? "?");
            if (waitForCallbacks)
            {
                // As the classic client: Start completes after the messages sent before it (OnConnected) were handled.
                await _dispatcher.WhenProcessedAsync().ConfigureAwait(false);
            }

            started.TrySetResult(true);
        }
        catch (Exception ex)
        {
            Exception error = cancellationToken.IsCancellationRequested
                ? new OperationCanceledException(Resources.ConnectionCancelled, ex, cancellationToken)
                : ex is OperationCanceledException && run.DisconnectCts.IsCancellationRequested
                    ? new OperationCanceledException(Resources.ConnectionCancelled, ex)
                    : ex;
            Log.StartFailed(_logger, error);
            Disconnect(run, error);
            if (waitForCallbacks)
            {
                await _dispatcher.WhenProcessedAsync().ConfigureAwait(false);
            }

            if (error is OperationCanceledException canceled && cancellationToken.IsCancellationRequested)
            {
                started.TrySetCanceled(canceled.CancellationToken);
            }
            else
            {
                started.TrySetException(error);
            }
        }
    }

    private static IEnumerable<IHttpClient> DistinctHttpClients(ClientTransportBase descriptor)
    {
        var seen = new List<IHttpClient> { descriptor.HttpClient };
        yield return descriptor.HttpClient;
        foreach (ClientTransportBase candidate in descriptor.Candidates(tryWebSockets: true))
        {
            if (!seen.Exists(c => ReferenceEquals(c, candidate.HttpClient)))
            {
                seen.Add(candidate.HttpClient);
                yield return candidate.HttpClient;
            }
        }
    }

    /// <summary>
    /// Negotiates and opens a transport: the first start (state Connecting) or a retry after the classic window
    /// (state Reconnecting). On success the state is Connected and buffered messages are released.
    /// </summary>
    private async Task EstablishAsync(ConnectionRun run, bool isRetry)
    {
        using var establishing = CancellationTokenSource.CreateLinkedTokenSource(run.DisconnectCts.Token, isRetry ? run.StopCts.Token : CancellationToken.None);
        CancellationToken token = establishing.Token;

        if (isRetry)
        {
            lock (_lock)
            {
                _connectionToken = null;
                _messageId = null;
                _groupsToken = null;
                run.Buffering = true;
            }
        }

        NegotiationAnswer answer = await NegotiateAsync(run, token).ConfigureAwait(false);
        var disconnectTimeout = TimeSpan.FromSeconds(answer.DisconnectTimeout);
        KeepAliveData? keepAlive = answer.KeepAliveTimeout is { } seconds ? new KeepAliveData(TimeSpan.FromSeconds(seconds)) : null;
        lock (_lock)
        {
            EnsureCurrentLocked(run, isRetry ? ConnectionState.Reconnecting : ConnectionState.Connecting);
            _connectionId = answer.ConnectionId;
            _connectionToken = answer.ConnectionToken;
            _keepAliveData = keepAlive;
            run.KeepAlive = keepAlive;
            run.DisconnectTimeout = disconnectTimeout;
            run.ConnectTimeout = TransportConnectTimeout + TimeSpan.FromSeconds(answer.TransportConnectTimeout);
            run.ReconnectWindow = keepAlive is null ? disconnectTimeout : disconnectTimeout + keepAlive.Timeout;
            run.BeatInterval = keepAlive is null ? TimeSpan.FromSeconds(5) : keepAlive.CheckInterval;
            if (run.BeatInterval <= TimeSpan.Zero)
            {
                run.BeatInterval = TimeSpan.FromMilliseconds(100);
            }
        }

        Exception? lastError = null;
        foreach (ClientTransportBase candidate in run.Descriptor.Candidates(answer.TryWebSockets))
        {
            var context = new TransportContext(this, run, candidate, _loggerFactory.CreateLogger("Tether.Client.Transports." + candidate.Name));
            var attempt = new TransportAttempt(run, candidate, candidate.CreateSession(context));
            lock (_lock)
            {
                EnsureCurrentLocked(run, isRetry ? ConnectionState.Reconnecting : ConnectionState.Connecting);
                run.ActiveAttempt = attempt;
                run.Buffering = true;
                run.Pending.Clear();
            }

            Log.TransportStarting(_logger, attempt.Session.Name);
            Trace(TraceLevels.Events, "Transport {0} starting", attempt.Session.Name);
            _ = ApplyReportsAsync(attempt);
            attempt.Session.Start();
            try
            {
                await attempt.WaitForInitAsync(TimeProvider, run.ConnectTimeout, token).ConfigureAwait(false);
            }
            catch (Exception ex) when (!token.IsCancellationRequested)
            {
                // No init message in time, or the transport failed first: try the next one.
                Log.TransportFailed(_logger, attempt.Session.Name, ex);
                await ReleaseAsync(attempt).ConfigureAwait(false);
                lastError = ex;
                continue;
            }
            catch
            {
                await ReleaseAsync(attempt).ConfigureAwait(false);
                throw;
            }

            try
            {
                await SendStartAsync(run, attempt, token).ConfigureAwait(false);
            }
            catch
            {
                // A failed /start ends the whole start: no fallback.
                await ReleaseAsync(attempt).ConfigureAwait(false);
                throw;
            }

            TaskCompletionSource<bool> gate;
            lock (_lock)
            {
                EnsureCurrentLocked(run, isRetry ? ConnectionState.Reconnecting : ConnectionState.Connecting);
                SetStateLocked(ConnectionState.Connected);
                if (isRetry)
                {
                    _dispatcher.Post(DispatchItem.Event(DispatchKind.Reconnected));
                }

                run.Buffering = false;
                run.Retrying = false;
                foreach (DispatchItem item in run.Pending)
                {
                    _dispatcher.Post(item);
                }

                run.Pending.Clear();
                (run.Descriptor as AutoTransport)?.SetActive(candidate);
                long now = TimeProvider.GetTimestamp();
                Interlocked.Exchange(ref run.LastMessageAt, now);
                run.LastActiveAt = now;
                run.Monitor?.Dispose();
                run.Monitor = new HeartbeatMonitor(TimeProvider, run.BeatInterval, () => OnBeat(run), keepAlive != null && attempt.Session.SupportsKeepAlive);
                gate = run.ConnectedGate;
            }

            gate.TrySetResult(true);
            return;
        }

        throw lastError ?? new InvalidOperationException(Resources.NoCompatibleTransportFound);
    }

    private async Task<NegotiationAnswer> NegotiateAsync(ConnectionRun run, CancellationToken cancellationToken)
    {
        int redirects = 0;
        while (true)
        {
            string url = UrlBuilder.Negotiate(UrlPartsFor(run, null));
            Log.Negotiating(_logger, url);
            Trace(TraceLevels.Events, "Negotiating {0}", url);
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            string raw;
            using (HttpResponseMessage response = await SendHttpAsync(run.Descriptor.HttpClient, request, isLongRunning: false, cancellationToken).ConfigureAwait(false))
            {
                raw = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            }

            if (string.IsNullOrEmpty(raw))
            {
                throw new InvalidOperationException(Resources.ServerNegotiationFailed);
            }

            NegotiationAnswer answer = NegotiationAnswer.Parse(raw);
            if (answer.IsAspNetCoreSignalR)
            {
                throw new InvalidOperationException(Resources.AspNetCoreServerDetected);
            }

            Version version = VerifyProtocolVersion(answer.ProtocolVersion);
            if (version >= s_minimumRedirectVersion)
            {
                if (!string.IsNullOrEmpty(answer.Error))
                {
                    throw new StartException(string.Format(CultureInfo.CurrentCulture, Resources.ErrorFromServer, answer.Error));
                }

                if (!string.IsNullOrEmpty(answer.RedirectUrl))
                {
                    string[] parts = answer.RedirectUrl!.Split(['?'], 2);
                    string baseUrl = parts[0].EndsWith("/", StringComparison.Ordinal) ? parts[0] : parts[0] + "/";
                    lock (_lock)
                    {
                        run.BaseUrl = baseUrl;
                        run.QueryString = parts.Length == 2 && parts[1].Length > 0 ? parts[1] : _userQueryString;
                    }

                    if (!string.IsNullOrEmpty(answer.AccessToken))
                    {
                        // As the classic client: the server's token overrules the one in use, and stays in Headers.
                        Headers["Authorization"] = "Bearer " + answer.AccessToken;
                    }

                    redirects++;
                    if (redirects >= MaxRedirects)
                    {
                        throw new InvalidOperationException(Resources.NegotiationLimitExceeded);
                    }

                    Log.Redirected(_logger, baseUrl);
                    continue;
                }
            }

            return answer;
        }
    }

    private Version VerifyProtocolVersion(string? versionString)
    {
        if (string.IsNullOrEmpty(versionString) ||
            !Version.TryParse(versionString, out Version? version) ||
            version < s_minimumSupportedVersion || version > s_maximumSupportedVersion)
        {
            throw new InvalidOperationException(string.Format(CultureInfo.CurrentCulture, Resources.IncompatibleProtocolVersion, Protocol, versionString ?? "null"));
        }

        return version;
    }

    private async Task SendStartAsync(ConnectionRun run, TransportAttempt host, CancellationToken cancellationToken)
    {
        string url = UrlBuilder.Start(UrlPartsFor(run, host.Session.Name));
        Task<string> request = GetStringAsync(host.Descriptor.HttpClient, url, cancellationToken);
        Task winner = await Task.WhenAny(request, host.FailedDuringStart).ConfigureAwait(false);
        if (winner == host.FailedDuringStart)
        {
            request.Forget();
            await host.FailedDuringStart.ConfigureAwait(false);
        }

        string body;
        try
        {
            body = await request.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            throw new StartException(Resources.StartFailed, ex);
        }

        if (!IsStarted(body))
        {
            throw new StartException(Resources.StartFailed);
        }

        if (!host.MarkStarted())
        {
            await host.FailedDuringStart.ConfigureAwait(false);
            throw new StartException(Resources.StartFailed);
        }
    }

    private static bool IsStarted(string body)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object &&
                document.RootElement.TryGetProperty("Response", out JsonElement response) &&
                response.ValueKind == JsonValueKind.String &&
                response.GetString() == "started";
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private async Task<string> GetStringAsync(IHttpClient client, string url, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        using HttpResponseMessage response = await SendHttpAsync(client, request, isLongRunning: false, cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadAsStringAsync().ConfigureAwait(false);
    }

    /// <summary>Throws when the run was stopped or replaced, or is not in the expected state.</summary>
    private void EnsureCurrentLocked(ConnectionRun run, ConnectionState expected)
    {
        if (_run != run || run.Closed || _state != expected)
        {
            throw new OperationCanceledException(Resources.ConnectionCancelled);
        }
    }

    /// <summary>The retry policy's loop, once the classic reconnect window ended: renegotiate until it works or the policy gives up.</summary>
    private async Task RetryAsync(ConnectionRun run, IRetryPolicy policy, Exception reason)
    {
        TransportAttempt? old;
        lock (_lock)
        {
            old = run.ActiveAttempt;
            run.Retrying = true;
        }

        if (old != null)
        {
            await ReleaseAsync(old).ConfigureAwait(false);
        }

        long started = TimeProvider.GetTimestamp();
        long attempts = 0;
        while (true)
        {
            TimeSpan? delay;
            try
            {
                delay = policy.NextRetryDelay(new RetryContext(attempts, TimeProvider.GetElapsedTime(started), reason));
            }
            catch (Exception ex)
            {
                Log.RetryPolicyFailed(_logger, ex);
                delay = null;
            }

            if (delay is null)
            {
                Log.GaveUp(_logger, reason);
                RaiseError(run, reason);
                Disconnect(run, reason);
                return;
            }

            Log.Retrying(_logger, attempts + 1, delay.Value);
            try
            {
                await Clock.Delay(TimeProvider, delay.Value, run.StopCts.Token).ConfigureAwait(false);
                await EstablishAsync(run, isRetry: true).ConfigureAwait(false);
                return;
            }
            catch (Exception) when (run.StopCts.IsCancellationRequested || run.DisconnectCts.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                reason = ex;
                attempts++;
            }
        }
    }
}
