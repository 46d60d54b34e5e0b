using Microsoft.Extensions.Logging;

namespace Tether.Cli.Output;

/// <summary>Sends ASP.NET Core log entries (warnings and errors, as filtered by the host) to the <see cref="ConsoleSink"/>.</summary>
internal sealed class ConsoleSinkLoggerProvider : ILoggerProvider
{
    private const string HostStartupFailedEvent = "HostedServiceStartupFaulted";

    private readonly ConsoleSink _sink;

    /// <summary>Creates the provider.</summary>
    /// <param name="sink">Where entries are written.</param>
    public ConsoleSinkLoggerProvider(ConsoleSink sink) => _sink = sink;

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new SinkLogger(_sink, categoryName);

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private sealed class SinkLogger(ConsoleSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            // A failed start is reported by the command itself, as one line on stderr.
            if (!IsEnabled(logLevel) || eventId.Name == HostStartupFailedEvent)
            {
                return;
            }

            string message = formatter(state, exception);
            if (exception is not null)
            {
                message += " (" + exception.GetType().Name + ": " + exception.Message + ")";
            }

            sink.Event($"{Label(logLevel)} {category}: {DisplayText.OneLine(message, 1000)}");
        }

        private static string Label(LogLevel level) => level switch
        {
            LogLevel.Critical => "crit",
            LogLevel.Error => "fail",
            LogLevel.Warning => "warn",
            LogLevel.Information => "info",
            _ => "dbug",
        };
    }
}
