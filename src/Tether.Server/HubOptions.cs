namespace Tether.Server;

/// <summary>The options of the hub layer, set with <c>services.AddHubs(options => ...)</c>.</summary>
public sealed class HubOptions
{
    /// <summary>
    /// Whether clients see the message of any exception a hub method throws. Off by default: they see a generic
    /// <c>There was an error invoking Hub method 'hub.method'.</c>, except for a <see cref="HubException"/>.
    /// </summary>
    public bool EnableDetailedErrors { get; set; }

    /// <summary>Whether <c>/signalr/hubs</c> and <c>/signalr/js</c> serve the generated JavaScript proxy (on by default).</summary>
    public bool EnableJavaScriptProxies { get; set; } = true;

    /// <summary>The largest caller state a client may send with a call, in characters of JSON (4096, as classic).</summary>
    public int MaxStateLength { get; set; } = 4096;

    /// <summary>The hub classes served; filled by <c>AddHubs</c> (by scanning the entry assembly, or from the list it is given).</summary>
    public IList<Type> HubTypes { get; } = [];
}
