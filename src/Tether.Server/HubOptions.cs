namespace Tether.Server;

/// <summary>The options of the hub layer, set with <c>services.AddHubs(options => ...)</c>.</summary>
public sealed class HubOptions
{
    private int _maximumParallelInvocationsPerConnection = 8;

    /// <summary>
    /// Whether clients see the message of any exception a hub method throws. Off by default: they see a generic
    /// <c>There was an error invoking Hub method 'hub.method'.</c>, except for a <see cref="HubException"/>.
    /// </summary>
    public bool EnableDetailedErrors { get; set; }

    /// <summary>Whether <c>/signalr/hubs</c> and <c>/signalr/js</c> serve the generated JavaScript proxy (on by default).</summary>
    public bool EnableJavaScriptProxies { get; set; } = true;

    /// <summary>The largest caller state a client may send with a call, in characters of JSON (4096, as classic).</summary>
    public int MaxStateLength { get; set; } = 4096;

    /// <summary>
    /// How many hub calls from one WebSocket connection may run at the same time (8 by default). Classic SignalR ran
    /// every call of a WebSocket connection as soon as it arrived, so a long call did not hold up the next one; Tether
    /// does the same up to this bound, and stops reading the connection's socket while the bound is reached (so one
    /// client cannot start unbounded work, or hold more than this many calls' messages). Set 1 to run a connection's
    /// calls one after another, in order. Long polling and Server-Sent Events calls each arrive on their own
    /// <c>/send</c> request and are not counted here.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 1.</exception>
    public int MaximumParallelInvocationsPerConnection
    {
        get => _maximumParallelInvocationsPerConnection;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _maximumParallelInvocationsPerConnection = value;
        }
    }

    /// <summary>The hub classes served; filled by <c>AddHubs</c> (by scanning the entry assembly, or from the list it is given).</summary>
    public IList<Type> HubTypes { get; } = [];
}
