using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tether.Client.Transports;
using Tether.Server;

namespace Tether.Client.Tests;

/// <summary>Records every event of a connection, in order, and lets tests await them without sleeping.</summary>
public sealed class Probe
{
    private readonly object _lock = new();
    private readonly List<string> _events = [];
    private readonly List<string> _messages = [];
    private readonly List<(Func<Probe, bool> Done, TaskCompletionSource Tcs)> _waiters = [];

    public Probe(Connection connection)
    {
        Connection = connection;
        connection.Received += m => Add("received:" + m, m);
        connection.StateChanged += c => Add($"state:{c.OldState}->{c.NewState}");
        connection.Error += e => Add("error:" + e.GetType().Name);
        connection.Reconnecting += () => Add("reconnecting");
        connection.Reconnected += () => Add("reconnected");
        connection.ConnectionSlow += () => Add("slow");
        connection.Closed += () => Add("closed");
    }

    public Connection Connection { get; }

    public IReadOnlyList<string> Events
    {
        get
        {
            lock (_lock)
            {
                return _events.ToArray();
            }
        }
    }

    public IReadOnlyList<string> Messages
    {
        get
        {
            lock (_lock)
            {
                return _messages.ToArray();
            }
        }
    }

    public int Count(string ev) => Events.Count(e => e == ev);

    /// <summary>Completes once the condition holds (checked now and after every event).</summary>
    public Task Until(Func<Probe, bool> done)
    {
        lock (_lock)
        {
            if (done(this))
            {
                return Task.CompletedTask;
            }

            var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((done, tcs));
            return tcs.Task;
        }
    }

    public Task UntilEvent(string ev) => Until(p => p.Events.Contains(ev));

    public Task UntilMessages(int count) => Until(p => p.Messages.Count >= count);

    public Task UntilMessage(string message) => Until(p => p.Messages.Contains(message));

    private void Add(string ev, string? message = null)
    {
        List<TaskCompletionSource> done = [];
        lock (_lock)
        {
            _events.Add(ev);
            if (message != null)
            {
                _messages.Add(message);
            }

            for (int i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Done(this))
                {
                    done.Add(_waiters[i].Tcs);
                    _waiters.RemoveAt(i);
                }
            }
        }

        foreach (var tcs in done)
        {
            tcs.TrySetResult();
        }
    }
}

/// <summary>The transports every scenario runs over.</summary>
public static class Transports
{
    public const string WebSockets = "webSockets";
    public const string ServerSentEvents = "serverSentEvents";
    public const string LongPolling = "longPolling";
    public const string Auto = "auto";

    public static TheoryData<string> All => new() { WebSockets, ServerSentEvents, LongPolling, Auto };

    public static TheoryData<string> Each => new() { WebSockets, ServerSentEvents, LongPolling };

    public static TheoryData<string> Streaming => new() { WebSockets, ServerSentEvents };

    /// <summary>A transport with the classic delays, or short ones where the delay is not what a test checks.</summary>
    public static IClientTransport Create(string name, bool fast = true) => name switch
    {
        WebSockets => new WebSocketTransport { ReconnectDelay = fast ? TimeSpan.FromMilliseconds(100) : TimeSpan.FromSeconds(2) },
        ServerSentEvents => new ServerSentEventsTransport { ReconnectDelay = fast ? TimeSpan.FromMilliseconds(100) : TimeSpan.FromSeconds(2) },
        LongPolling => new LongPollingTransport
        {
            ErrorDelay = fast ? TimeSpan.FromMilliseconds(100) : TimeSpan.FromSeconds(2),
            ReconnectDelay = fast ? TimeSpan.FromMilliseconds(300) : TimeSpan.FromSeconds(5),
        },
        _ => new AutoTransport(new Http.DefaultHttpClient()),
    };

    public static string Expected(string name) => name == Auto ? WebSockets : name;
}

/// <summary>One HTTP request as the server saw it.</summary>
public sealed record RecordedRequest(string Method, string Path, string Query, bool IsWebSocket, IReadOnlyDictionary<string, string> Headers)
{
    public string? Header(string name) => Headers.TryGetValue(name, out string? v) ? v : null;

    public string Operation => Path[(Path.LastIndexOf('/') + 1)..];
}

/// <summary>Middleware that records every request; add it with <see cref="Install"/> through TestServer's configureApp.</summary>
public sealed class RequestRecorder
{
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();

    public IReadOnlyList<RecordedRequest> Requests => _requests.ToArray();

    public IReadOnlyList<RecordedRequest> For(string pathPrefix) => Requests.Where(r => r.Path.StartsWith(pathPrefix, StringComparison.Ordinal)).ToArray();

    public void Install(WebApplication app) => app.Use(async (HttpContext context, Func<Task> next) =>
    {
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        _requests.Enqueue(new RecordedRequest(context.Request.Method, context.Request.Path.Value ?? "", context.Request.QueryString.Value ?? "", string.Equals(context.Request.Headers.Upgrade, "websocket", StringComparison.OrdinalIgnoreCase), headers));
        await next();
    });
}

/// <summary>A logger factory that keeps every event name, for the ILoggerFactory option.</summary>
public sealed class ListLoggerFactory : ILoggerFactory
{
    private readonly ConcurrentQueue<(string Category, string EventName, LogLevel Level)> _entries = new();

    public IReadOnlyList<(string Category, string EventName, LogLevel Level)> Entries => _entries.ToArray();

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public ILogger CreateLogger(string categoryName) => new ListLogger(categoryName, _entries);

    public void Dispose()
    {
    }

    private sealed class ListLogger(string category, ConcurrentQueue<(string, string, LogLevel)> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            entries.Enqueue((category, eventId.Name ?? "", logLevel));
    }
}

public static class ServerExtensions
{
    /// <summary>The server side of the echo endpoint, to send to a connection from outside a request.</summary>
    public static IPersistentConnectionContext<EchoConnection> EchoContext(this TestServer server) =>
        server.Services.GetRequiredService<IPersistentConnectionContext<EchoConnection>>();

    /// <summary>Short server timeouts for tests whose behaviour is timing: keep-alive every 1 s (timeout 2 s), give up after 6 s.</summary>
    public static void ShortTimeouts(PersistentConnectionOptions o)
    {
        o.DisconnectTimeout = TimeSpan.FromSeconds(6);
        o.KeepAlive = TimeSpan.FromSeconds(1);
    }
}

/// <summary>Catches what a call throws synchronously (the classic API throws from Task-returning methods before returning).</summary>
public static class Sync
{
    public static Exception? Catch(Action action)
    {
        try
        {
            action();
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }
}
