using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Tether.Server.Tests.Hostile;

/// <summary>Values an attacker puts where the server expects a cursor, a token or a name, and checks on what comes back.</summary>
internal static class HostileInput
{
    /// <summary>Short hostile values: they fit in a query string (Kestrel's request line is 8 KB).</summary>
    public static readonly string[] Short =
    [
        "\"",
        "\",\"M\":[1]}",
        "\\",
        "\\\"}",
        "</script><script>alert(1)</script>",
        "\u0001\u001f\n\r\t\0",
        "é漢字😀\u2028\u2029",
        "d-0-0,0\"",
        "s-1,1|\"",
        "%",
        "   ",
        new string('"', 1000),
    ];

    /// <summary>A 100 KB value with quotes, backslashes and markup, for form bodies.</summary>
    public static readonly string Huge = string.Concat(Enumerable.Repeat("\"\\</script>é\u0001", 100 * 1024 / 14));

    /// <summary>Every short value and the huge one.</summary>
    public static IEnumerable<string> All => Short.Append(Huge);

    /// <summary>Parses a JSON answer, or the argument of a JSONP <c>callback(...);</c> answer, and fails if it is neither.</summary>
    public static JsonDocument ParseAnswer(string body, string? callback = null)
    {
        string json = body.TrimStart(' ');
        if (callback is not null)
        {
            Assert.StartsWith(callback + "(", json, StringComparison.Ordinal);
            Assert.EndsWith(");", json, StringComparison.Ordinal);
            json = json[(callback.Length + 1)..^2];
        }

        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            Assert.Fail($"Not JSON ({ex.Message}): {Shorten(body)}");
            throw;
        }
    }

    /// <summary>The cursor of a persistent response, checked to be one the server issued (plain ASCII, never the hostile value).</summary>
    public static string CursorOf(JsonDocument answer, string hostile)
    {
        string cursor = answer.RootElement.GetProperty("C").GetString()!;
        Assert.NotEqual(hostile, cursor);
        Assert.Matches("^[A-Za-z0-9,|-]*$", cursor);
        return cursor;
    }

    public static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + $"... ({text.Length} chars)";
}

/// <summary>Collects every log entry of a test server at Debug and above, to assert what was (not) logged as an error.</summary>
internal sealed class LogCollector : ILoggerProvider
{
    private readonly ConcurrentQueue<(LogLevel Level, string Category, EventId Id, string Message, Exception? Exception)> _entries = new();

    public IReadOnlyList<(LogLevel Level, string Category, EventId Id, string Message, Exception? Exception)> Entries => _entries.ToArray();

    /// <summary>Adds the collector to a test server's services and lets Debug entries through.</summary>
    public void AddTo(IServiceCollection services)
    {
        services.AddSingleton<ILoggerProvider>(this);
        services.Configure<LoggerFilterOptions>(options => options.MinLevel = LogLevel.Debug);
    }

    /// <summary>Fails when anything was logged at Error or above (an unhandled exception, a failed request).</summary>
    public void AssertNoErrors()
    {
        var errors = Entries.Where(e => e.Level >= LogLevel.Error).ToList();
        Assert.True(errors.Count == 0, "Logged as errors: " + string.Join(" | ", errors.Select(e => $"{e.Category} {e.Id.Name}: {e.Message} {e.Exception?.GetType().Name}")));
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCollector owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._entries.Enqueue((logLevel, category, eventId, formatter(state, exception), exception));
    }
}
