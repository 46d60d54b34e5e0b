using Microsoft.Extensions.Logging;

namespace Tether.Benchmarks.Attacks.Infrastructure;

/// <summary>Counts the log entries of level Error and above (unhandled application errors among them).</summary>
internal sealed class ErrorLogCounter : ILoggerProvider, ILogger
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel))
        {
            Interlocked.Increment(ref _count);
        }
    }

    public void Dispose()
    {
    }
}
