using Tether.Client;

namespace Tether.Cli.Output;

/// <summary>Turns an exception into one line for the console: its message and the messages of its inner exceptions.</summary>
internal static class ErrorText
{
    /// <summary>
    /// Joins the messages of <paramref name="error"/> and its inner exceptions with <c>: </c>, skipping a message
    /// already said, each without its final period (e.g. <c>Transport failed trying to connect: Connection refused
    /// (127.0.0.1:1)</c>), on one line.
    /// </summary>
    /// <param name="error">The exception.</param>
    /// <returns>The line, made safe to show.</returns>
    public static string Describe(Exception error)
    {
        var messages = new List<string>();
        for (Exception? current = error; current is not null; current = Next(current))
        {
            // An AggregateException only wraps (its message repeats the inner ones); a message already said adds nothing.
            string message = current switch
            {
                AggregateException { InnerExceptions.Count: > 0 } => string.Empty,
                HttpClientException { Response: { } response } => Status(response),
                _ => current.Message.Trim(),
            };
            if (message.Length > 0 && !messages.Any(m => m.Contains(message, StringComparison.Ordinal)))
            {
                messages.Add(message);
            }
        }

        string text = messages.Count == 0 ? error.GetType().Name : string.Join(": ", messages.Select(m => m.TrimEnd('.')));
        return DisplayText.OneLine(text, 1000);
    }

    // The exception's own message is the whole response, headers included; the status and the URL say it all.
    private static string Status(HttpResponseMessage response)
    {
        string url = response.RequestMessage?.RequestUri is { } uri ? " for " + uri.GetLeftPart(UriPartial.Path) : string.Empty;
        return $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}{url}";
    }

    private static Exception? Next(Exception error) =>
        error is AggregateException { InnerExceptions.Count: > 0 } aggregate ? aggregate.InnerExceptions[0] : error.InnerException;
}
