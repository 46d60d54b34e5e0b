namespace Tether.Server.Hubs;

/// <summary>A call of a client method on its way to the clients (<c>{"H","M","A","S"}</c>); pipeline modules may change it.</summary>
public sealed class ClientHubInvocation
{
    /// <summary>The hub's name.</summary>
    public required string Hub { get; set; }

    /// <summary>The client method.</summary>
    public required string Method { get; set; }

    /// <summary>The arguments.</summary>
    public required IList<object?> Args { get; set; }

    /// <summary>The caller's changed state (calls on <c>Clients.Caller</c>), or <see langword="null"/>.</summary>
    public IDictionary<string, object?>? State { get; set; }
}
