using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Tether.Client.Transports;

namespace Tether.Client.Internal;

/// <summary>
/// Everything that lives from one <c>Start</c> to the matching close. Callbacks carry their run, so a late report
/// from a stopped run never touches the next one. Mutable fields are guarded by the connection's lock unless noted.
/// </summary>
internal sealed class ConnectionRun
{
    public ConnectionRun(ClientTransportBase descriptor, bool ownsHttpClient, string baseUrl, string? queryString, int sendQueueLimit)
    {
        Descriptor = descriptor;
        OwnsHttpClient = ownsHttpClient;
        BaseUrl = baseUrl;
        QueryString = queryString;
        SendQueueLimit = Math.Max(1, sendQueueLimit);
        Sends = Channel.CreateBounded<SendItem>(new BoundedChannelOptions(SendQueueLimit)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
            AllowSynchronousContinuations = false,
        });
    }

    /// <summary>Cancelled when Stop begins: transports finish their current receive and never reconnect.</summary>
    public CancellationTokenSource StopCts { get; } = new();

    /// <summary>Cancelled when the run is torn down.</summary>
    public CancellationTokenSource DisconnectCts { get; } = new();

    /// <summary>What <c>Start</c> was given (an <see cref="AutoTransport"/> or one transport).</summary>
    public ClientTransportBase Descriptor { get; }

    /// <summary>Whether the connection created the HTTP client, and so disposes it.</summary>
    public bool OwnsHttpClient { get; }

    /// <summary>The endpoint URL in use (a negotiate redirect changes it for this run only).</summary>
    public string BaseUrl { get; set; }

    /// <summary>The custom query string in use (a negotiate redirect may replace it for this run only).</summary>
    public string? QueryString { get; set; }

    /// <summary>What <see cref="Connection.OnSending"/> returned, sent as <c>connectionData</c>.</summary>
    public string? ConnectionData { get; set; }

    public TimeSpan DisconnectTimeout { get; set; }

    /// <summary>The server's transport connect timeout plus the client's.</summary>
    public TimeSpan ConnectTimeout { get; set; }

    public TimeSpan ReconnectWindow { get; set; }

    public TimeSpan BeatInterval { get; set; }

    public KeepAliveData? KeepAlive { get; set; }

    /// <summary>The transport attempt in use (or being tried).</summary>
    public TransportAttempt? ActiveAttempt { get; set; }

    /// <summary>The URLs of the transport in use, for the current connection token (see <c>Connection.UrlsFor</c>).</summary>
    public TransportUrls? Urls { get; set; }

    /// <summary>While a transport is being established, messages wait here and are released once it is connected.</summary>
    public bool Buffering { get; set; } = true;

    public List<DispatchItem> Pending { get; } = [];

    public HeartbeatMonitor? Monitor { get; set; }

    /// <summary>The DisconnectTimeout timer of the current reconnect episode.</summary>
    public ITimer? GiveUpTimer { get; set; }

    /// <summary>Counts reconnect episodes, so that a late give-up tick of an earlier one is ignored.</summary>
    public int ReconnectEpisode { get; set; }

    /// <summary>The last time bytes came from the server (a <see cref="TimeProvider"/> timestamp; read and written with <see cref="Interlocked"/>).</summary>
    public long LastMessageAt;

    /// <summary>The last time the heartbeat ran on time (a <see cref="TimeProvider"/> timestamp).</summary>
    public long LastActiveAt { get; set; }

    /// <summary>Completed with <see langword="true"/> while sends may go out, <see langword="false"/> once the run is closed; replaced by a pending one while reconnecting.</summary>
    public TaskCompletionSource<bool> ConnectedGate { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Sends, in order: one loop drains them.</summary>
    public Channel<SendItem> Sends { get; }

    public int SendQueueLimit { get; }

    /// <summary>The start in progress; a Stop during Connecting waits for it.</summary>
    public Task? StartTask { get; set; }

    /// <summary>Completed when Stop has done its work (abort, close); shared by concurrent Stop calls.</summary>
    public TaskCompletionSource<bool>? StopTcs { get; set; }

    /// <summary>Completed when the transport and the HTTP client are released after the close.</summary>
    public Task ShutdownTask { get; set; } = Task.CompletedTask;

    public bool Closed { get; set; }

    /// <summary>Whether the retry policy is renegotiating after the classic window ended.</summary>
    public bool Retrying { get; set; }
}

/// <summary>One <c>Send</c> waiting its turn; it completes once sent.</summary>
internal sealed class SendItem : TaskCompletionSource<bool>
{
    public SendItem(string data, CancellationToken cancellationToken)
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        Data = data;
        CancellationToken = cancellationToken;
    }

    public string Data { get; }

    public CancellationToken CancellationToken { get; }
}
