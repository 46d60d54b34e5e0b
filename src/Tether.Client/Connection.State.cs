using System;
using System.ComponentModel;
using Tether.Client.Transports;

namespace Tether.Client;

// The connection's state and the values it learned from the server, each read under the connection's lock.
public partial class Connection
{
    /// <summary>The current state.</summary>
    public ConnectionState State
    {
        get
        {
            lock (_lock)
            {
                return _state;
            }
        }
    }

    /// <summary>Whether the connection is started: connecting, connected or reconnecting. <see langword="false"/> once stopped.</summary>
    public bool IsActive => State != ConnectionState.Disconnected;

    /// <summary>The connection id from negotiate; cleared when the connection closes.</summary>
    public string? ConnectionId
    {
        get
        {
            lock (_lock)
            {
                return _connectionId;
            }
        }

        set
        {
            lock (_lock)
            {
                _connectionId = value;
            }
        }
    }

    /// <summary>The older name of <see cref="ConnectionId"/>.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public string? ClientId
    {
        get => ConnectionId;
        set => ConnectionId = value;
    }

    /// <summary>The protected connection token from negotiate, sent on every request; cleared when the connection closes.</summary>
    public string? ConnectionToken
    {
        get
        {
            lock (_lock)
            {
                return _connectionToken;
            }
        }

        set
        {
            lock (_lock)
            {
                _connectionToken = value;
            }
        }
    }

    /// <summary>The last cursor (<c>C</c>) received, sent back as <c>messageId</c> when reconnecting; cleared when the connection closes.</summary>
    public string? MessageId
    {
        get
        {
            lock (_lock)
            {
                return _messageId;
            }
        }

        set
        {
            lock (_lock)
            {
                _messageId = value;
            }
        }
    }

    /// <summary>The last groups token (<c>G</c>) received, sent back when reconnecting; cleared when the connection closes.</summary>
    public string? GroupsToken
    {
        get
        {
            lock (_lock)
            {
                return _groupsToken;
            }
        }

        set
        {
            lock (_lock)
            {
                _groupsToken = value;
            }
        }
    }

    /// <summary>The last error raised through <see cref="Error"/>.</summary>
    public Exception? LastError
    {
        get
        {
            lock (_lock)
            {
                return _lastError;
            }
        }
    }

    /// <summary>The transport the connection was started with (for <see cref="AutoTransport"/>, its <see cref="IClientTransport.Name"/> is the one in use); <see langword="null"/> when disconnected.</summary>
    public IClientTransport? Transport
    {
        get
        {
            lock (_lock)
            {
                return _transport;
            }
        }
    }

    /// <summary>The keep-alive thresholds from the last negotiate; <see langword="null"/> before, or when the server sends no keep-alives.</summary>
    public KeepAliveData? KeepAliveData
    {
        get
        {
            lock (_lock)
            {
                return _keepAliveData;
            }
        }
    }
}
