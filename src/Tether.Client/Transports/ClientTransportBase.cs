using System;
using System.Collections.Generic;
using Tether.Client.Http;
using Tether.Client.Internal.Transports;

namespace Tether.Client.Transports;

/// <summary>The base of Tether.Client's transports: a name, an <see cref="IHttpClient"/>, and an internal session factory.</summary>
/// <remarks>It cannot be derived from outside Tether.Client.</remarks>
public abstract class ClientTransportBase : IClientTransport
{
    private protected ClientTransportBase(IHttpClient httpClient, string name)
    {
        HttpClient = httpClient ?? throw new ArgumentNullException(nameof(httpClient));
        TransportName = name;
    }

    /// <inheritdoc/>
    public virtual string Name => TransportName;

    /// <inheritdoc/>
    public abstract bool SupportsKeepAlive { get; }

    /// <summary>The HTTP client used for negotiate, start, send, abort and the HTTP transports' receive requests.</summary>
    public IHttpClient HttpClient { get; }

    /// <summary>The fixed protocol name of this transport.</summary>
    private protected string TransportName { get; }

    /// <summary>Does nothing: each start's session is released when the connection stops. Kept for the classic API.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>The transports to try, in order, when this one starts a connection.</summary>
    /// <param name="tryWebSockets">Whether the server said WebSockets are worth trying.</param>
    internal virtual IReadOnlyList<ClientTransportBase> Candidates(bool tryWebSockets) => [this];

    /// <summary>Creates the session that runs this transport for one connection attempt.</summary>
    internal abstract ITransport CreateSession(TransportContext context);

    /// <summary>Called when the transport is disposed.</summary>
    /// <param name="disposing">Whether <see cref="Dispose()"/> was called.</param>
    protected virtual void Dispose(bool disposing)
    {
    }
}
