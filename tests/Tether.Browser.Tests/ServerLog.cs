using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Tether.Browser.Tests;

/// <summary>Collects the test server's warnings and errors (with exceptions) for the output of a test.</summary>
public sealed class ServerLog(Stopwatch clock) : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Snapshot() => _lines.ToArray();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(ServerLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                log._lines.Enqueue($"{log.Clock.ElapsedMilliseconds,6} ms [{logLevel}] {category}[{eventId.Name ?? eventId.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)}]: {formatter(state, exception)}{(exception is null ? string.Empty : Environment.NewLine + exception)}");
            }
        }
    }

    private Stopwatch Clock => clock;
}
