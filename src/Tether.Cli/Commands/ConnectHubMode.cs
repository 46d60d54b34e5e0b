using System.CommandLine;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tether.Cli.Output;
using Tether.Client;

namespace Tether.Cli.Commands;

/// <summary>
/// <c>tether connect URL --hub NAME</c>: a <see cref="HubConnection"/> to the hubs endpoint URL with a proxy for hub
/// NAME. Each input line <c>Method arg…</c> (arguments are JSON values: <c>Echo "hi"</c>, <c>Add 2 3</c>) invokes a hub
/// method, one after the other; the result, progress and errors are printed, and so is every client-method call the
/// hub makes (<c>call chat.addMessage("peer", "hi")</c>).
/// </summary>
internal sealed class ConnectHubMode
{
    private readonly ConsoleSink _sink;
    private readonly IHubProxy _proxy;

    private ConnectHubMode(HubConnection connection, IHubProxy proxy, ConsoleSink sink)
    {
        Connection = connection;
        _proxy = proxy;
        _sink = sink;
    }

    /// <summary>The connection, not started.</summary>
    public HubConnection Connection { get; }

    /// <summary>The <c>--hub</c> option.</summary>
    /// <returns>A new option.</returns>
    public static Option<string> CreateOption() => new("--hub")
    {
        Description = "Hub mode: URL is the hubs endpoint (e.g. http://127.0.0.1:5000/signalr) and each line of input invokes a method of hub NAME, as METHOD followed by its arguments in JSON (Echo \"hi\", Add 2 3); results, progress and the hub's client calls are printed.",
        HelpName = "NAME",
    };

    /// <summary>Creates the hub mode, or returns <see langword="null"/> without <c>--hub</c>.</summary>
    /// <param name="hubName">The <c>--hub</c> value, or <see langword="null"/>.</param>
    /// <param name="url">The hubs endpoint.</param>
    /// <param name="query">The custom query string, or <see langword="null"/>.</param>
    /// <param name="sink">Where the mode prints.</param>
    /// <param name="mode">The hub mode, or <see langword="null"/> without <c>--hub</c>.</param>
    /// <param name="error">Why the hub name is refused.</param>
    /// <returns>Whether the value is valid (absent counts as valid).</returns>
    public static bool TryCreate(string? hubName, string url, string? query, ConsoleSink sink, out ConnectHubMode? mode, [NotNullWhen(false)] out string? error)
    {
        mode = null;
        error = null;
        if (hubName is null)
        {
            return true;
        }

        if (string.IsNullOrWhiteSpace(hubName) || hubName.Any(char.IsControl))
        {
            error = $"invalid --hub '{DisplayText.OneLine(hubName)}': expected a hub name, e.g. --hub chat";
            return false;
        }

        var connection = new HubConnection(url, query, useDefaultUrl: false);
        mode = new ConnectHubMode(connection, connection.CreateHubProxy(hubName.Trim()), sink);
        connection.Received += mode.PrintCall;
        return true;
    }

    /// <summary>Reads an input line as a method name followed by JSON arguments.</summary>
    /// <param name="line">The line, e.g. <c>Add 2 3</c>.</param>
    /// <param name="method">The method's name.</param>
    /// <param name="arguments">The arguments.</param>
    /// <param name="error">Why the line is refused.</param>
    /// <returns>Whether the line is an invocation.</returns>
    public static bool TryParseLine(string line, [NotNullWhen(true)] out string? method, out JsonNode?[] arguments, [NotNullWhen(false)] out string? error)
    {
        arguments = [];
        string trimmed = line.Trim();
        int space = trimmed.IndexOfAny([' ', '\t']);
        method = space < 0 ? trimmed : trimmed[..space];
        if (method.Length == 0 || method.Any(c => char.IsControl(c) || c is '"' or '{' or '[' or '('))
        {
            method = null;
            error = $"invalid invocation '{DisplayText.OneLine(line)}': expected METHOD followed by JSON arguments, e.g. Add 2 3 or Echo \"hi\"";
            return false;
        }

        var values = new List<JsonNode?>();
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(space < 0 ? string.Empty : trimmed[space..]), new JsonReaderOptions { AllowMultipleValues = true });
        try
        {
            while (reader.Read())
            {
                values.Add(JsonNode.Parse(ref reader));
            }
        }
        catch (JsonException ex)
        {
            method = null;
            error = $"invalid arguments in '{DisplayText.OneLine(line)}': each argument is a JSON value (\"text\", 42, true, null, [1,2], {{\"a\":1}}): {ex.Message}";
            return false;
        }

        arguments = [.. values];
        error = null;
        return true;
    }

    /// <summary>Invokes the hub method a line names and prints what comes back; a line that does not parse, or an invocation that fails, is reported and the next line is read.</summary>
    /// <param name="line">The input line.</param>
    /// <param name="cancellationToken">Ctrl+C.</param>
    /// <returns>Completes once the result (or error) is printed.</returns>
    public async Task InvokeLineAsync(string line, CancellationToken cancellationToken)
    {
        if (line.Trim().Length == 0)
        {
            return;
        }

        if (!TryParseLine(line, out string? method, out JsonNode?[] arguments, out string? error))
        {
            _sink.Error(error);
            return;
        }

        try
        {
            JsonElement? result = await _proxy.InvokeJsonAsync(
                method, arguments, progress => _sink.Event($"{method} progress: {progress.GetRawText()}"), cancellationToken).ConfigureAwait(false);
            _sink.Event(result is { } value ? $"{method} returned: {value.GetRawText()}" : $"{method} completed");
        }
        catch (HubException ex)
        {
            string data = ex.ErrorData is JsonElement errorData ? " (data: " + errorData.GetRawText() + ")" : string.Empty;
            _sink.Event($"{method} failed: HubException: {DisplayText.OneLine(ex.Message)}{data}");
        }
        catch (InvalidOperationException ex)
        {
            _sink.Event($"{method} failed: {ErrorText.Describe(ex)}");
        }
    }

    /// <summary>Prints a client-method call the hub made: <c>call chat.addMessage("peer", "hi")</c>.</summary>
    private void PrintCall(string text)
    {
        try
        {
            using JsonDocument call = JsonDocument.Parse(text);
            JsonElement root = call.RootElement;
            string hub = root.TryGetProperty("H", out JsonElement h) ? h.ToString() : "?";
            string method = root.TryGetProperty("M", out JsonElement m) ? m.ToString() : "?";
            string args = root.TryGetProperty("A", out JsonElement a) && a.ValueKind == JsonValueKind.Array
                ? string.Join(", ", a.EnumerateArray().Select(arg => arg.GetRawText()))
                : string.Empty;
            _sink.Event($"call {hub}.{method}({DisplayText.OneLine(args)})");
        }
        catch (JsonException)
        {
            _sink.Event("received: " + DisplayText.OneLine(text));
        }
    }
}
