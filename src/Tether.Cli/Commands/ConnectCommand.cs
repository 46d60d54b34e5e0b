using System.CommandLine;
using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;
using Tether.Cli.Output;
using Tether.Cli.Terminal;
using Tether.Client;
using Tether.Client.Http;
using Tether.Client.Transports;
using Tether.Protocol;

namespace Tether.Cli.Commands;

/// <summary>
/// <c>tether connect URL [--transport T] [--header NAME=VALUE]... [--query QUERY]... [--linger SECONDS] [--json]
/// [--stats SECONDS] [--verbosity quiet|normal|detailed]</c>: connects a
/// Tether.Client <see cref="Connection"/> to a persistent connection, prints every message and every connection event
/// as a timestamped line, and sends each line of standard input as a message. At the end of input, or on Ctrl+C, it
/// stops the connection and exits 0. A connection that cannot start, or that closes on its own, ends the command with
/// one line on stderr and exit code 1.
/// </summary>
internal sealed class ConnectCommand : Command
{
    /// <summary>The value of <c>--transport</c> that tries WebSockets, then Server-Sent Events, then long polling.</summary>
    public const string AutoTransportName = "auto";

    /// <summary>How long stopping waits for the server to acknowledge the abort before it closes anyway.</summary>
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The longest <c>--linger</c> (about 24 days, what a timer takes); a longer one is cut to it.</summary>
    public const double MaxLingerSeconds = int.MaxValue / 1000.0;

    /// <summary>The values <c>--transport</c> accepts (in any letter case).</summary>
    public static readonly IReadOnlyList<string> TransportChoices =
        [AutoTransportName, TransportNames.WebSockets, TransportNames.ServerSentEvents, TransportNames.LongPolling];

    private readonly Argument<string> _url = new("URL")
    {
        Description = "The persistent connection's URL, e.g. http://127.0.0.1:5000/echo. A query string in it is sent on every request.",
    };

    private readonly Option<string> _transport = new("--transport", "-t")
    {
        Description = "The transport: auto (WebSockets, then Server-Sent Events, then long polling), webSockets, serverSentEvents or longPolling.",
        HelpName = "TRANSPORT",
        DefaultValueFactory = _ => AutoTransportName,
    };

    private readonly Option<string[]> _headers = new("--header", "-H")
    {
        Description = "A header sent on every request, the WebSocket handshake included (NAME: VALUE works too). Repeat for more.",
        HelpName = "NAME=VALUE",
    };

    private readonly Option<string[]> _query = new("--query", "-q")
    {
        Description = "Query-string values sent on every request: NAME=VALUE (escaped by tether), or a raw query string such as a=1&b=2 (sent as given; any value with & or % is taken as one). Repeat for more.",
        HelpName = "QUERY",
    };

    private readonly Option<double> _linger = new("--linger")
    {
        Description = "After the end of input, stay connected this many seconds to print replies still on their way, then stop. Default: 0.",
        HelpName = "SECONDS",
    };

    private readonly Option<bool> _json = new("--json")
    {
        Description = "Print each event as one JSON object per line (time, event, details) instead of text, for scripts.",
    };

    private readonly Option<double> _stats = new("--stats")
    {
        Description = "Print the counts (messages sent and received, reconnects, errors) to stderr every this many seconds. Default: 0 (never).",
        HelpName = "SECONDS",
    };

    private readonly Option<Verbosity> _verbosity = VerbosityOption.Create();

    private readonly Option<string> _hub = ConnectHubMode.CreateOption();

    private readonly ConsoleSink _sink;
    private readonly Func<TextReader> _input;

    /// <summary>Creates the command.</summary>
    /// <param name="sink">Where the command prints.</param>
    /// <param name="input">Gives the input whose lines are sent (standard input).</param>
    public ConnectCommand(ConsoleSink sink, Func<TextReader> input)
        : base("connect", "Connect to a persistent connection with Tether.Client: print every message and state change, and send each line of standard input.")
    {
        _sink = sink;
        _input = input;
        _transport.CompletionSources.Add([.. TransportChoices]);
        Arguments.Add(_url);
        Options.Add(_transport);
        Options.Add(_headers);
        Options.Add(_query);
        Options.Add(_linger);
        Options.Add(_json);
        Options.Add(_stats);
        Options.Add(_verbosity);
        Options.Add(_hub);
        SetAction(InvokeAsync);
    }

    /// <summary>Checks the endpoint URL and splits off its query string.</summary>
    /// <param name="value">The URL as given.</param>
    /// <param name="url">The URL without query string, for <see cref="Connection"/>.</param>
    /// <param name="query">The query string of the URL, without <c>?</c>; empty when it has none.</param>
    /// <param name="error">Why the URL is refused.</param>
    /// <returns>Whether the URL is valid.</returns>
    public static bool TryParseUrl(string? value, [NotNullWhen(true)] out string? url, out string query, [NotNullWhen(false)] out string? error)
    {
        url = null;
        query = string.Empty;
        if (string.IsNullOrWhiteSpace(value)
            || !Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || string.IsNullOrEmpty(uri.Host))
        {
            error = $"invalid URL '{DisplayText.OneLine(value)}': expected an absolute http:// or https:// URL, e.g. http://127.0.0.1:5000/echo";
            return false;
        }

        if (uri.Fragment.Length > 0)
        {
            error = $"invalid URL '{DisplayText.OneLine(value)}': a URL cannot have a fragment (#...)";
            return false;
        }

        url = uri.GetLeftPart(UriPartial.Path);
        query = uri.Query.TrimStart('?');
        error = null;
        return true;
    }

    /// <summary>Checks a <c>--transport</c> value.</summary>
    /// <param name="value">The value as given.</param>
    /// <param name="transport">The transport's name as the protocol spells it, or <see cref="AutoTransportName"/>.</param>
    /// <param name="error">Why the value is refused.</param>
    /// <returns>Whether the value names a transport.</returns>
    public static bool TryParseTransport(string? value, [NotNullWhen(true)] out string? transport, [NotNullWhen(false)] out string? error)
    {
        transport = TransportChoices.FirstOrDefault(t => string.Equals(t, value?.Trim(), StringComparison.OrdinalIgnoreCase));
        error = transport is null
            ? $"unknown --transport '{DisplayText.OneLine(value)}': expected {string.Join(", ", TransportChoices.Take(TransportChoices.Count - 1))} or {TransportChoices[^1]}"
            : null;
        return transport is not null;
    }

    /// <summary>Checks the <c>--header</c> values and gathers them; a name given twice gets its values joined with <c>, </c>.</summary>
    /// <param name="values">The values, each <c>NAME=VALUE</c> or <c>NAME: VALUE</c>.</param>
    /// <param name="headers">The headers, by name (case-insensitive).</param>
    /// <param name="error">Why a value is refused.</param>
    /// <returns>Whether every value is valid.</returns>
    public static bool TryParseHeaders(IEnumerable<string>? values, [NotNullWhen(true)] out IReadOnlyDictionary<string, string>? headers, [NotNullWhen(false)] out string? error)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        headers = null;
        foreach (string value in values ?? [])
        {
            // NAME=VALUE, or NAME: VALUE as curl takes it; neither character can be part of a name, so the first one splits.
            int separator = value.IndexOfAny(['=', ':']);
            string name = separator < 0 ? string.Empty : value[..separator].Trim();
            if (name.Length == 0)
            {
                error = $"invalid --header '{DisplayText.OneLine(value)}': expected NAME=VALUE, e.g. --header \"Authorization=Bearer abc\"";
                return false;
            }

            if (!name.All(IsTokenChar))
            {
                error = $"invalid --header '{DisplayText.OneLine(value)}': '{DisplayText.OneLine(name)}' is not a valid header name";
                return false;
            }

            string headerValue = value[(separator + 1)..].Trim();
            if (headerValue.Any(c => c is '\r' or '\n' or '\0'))
            {
                error = $"invalid --header '{DisplayText.OneLine(value)}': a header value cannot contain line breaks";
                return false;
            }

            result[name] = result.TryGetValue(name, out string? earlier) ? earlier + ", " + headerValue : headerValue;
        }

        headers = result;
        error = null;
        return true;
    }

    /// <summary>
    /// Builds the custom query string from the URL's own query string and the <c>--query</c> values, in order. A
    /// <c>NAME=VALUE</c> value is escaped; a value with <c>&amp;</c> or <c>%</c>, or without <c>=</c>, is a raw query
    /// string and is sent as given. A leading <c>?</c> is dropped.
    /// </summary>
    /// <param name="urlQuery">The URL's query string, without <c>?</c>.</param>
    /// <param name="values">The <c>--query</c> values.</param>
    /// <param name="query">The query string, without <c>?</c>; <see langword="null"/> when there is none.</param>
    /// <param name="error">Why a value is refused.</param>
    /// <returns>Whether every value is valid.</returns>
    public static bool TryBuildQueryString(string urlQuery, IEnumerable<string>? values, out string? query, [NotNullWhen(false)] out string? error)
    {
        var parts = new List<string>();
        if (urlQuery.Length > 0)
        {
            parts.Add(urlQuery);
        }

        query = null;
        foreach (string value in values ?? [])
        {
            string raw = value.StartsWith('?') ? value[1..] : value;
            if (raw.Length == 0 || raw.Any(c => char.IsControl(c) || c == '#'))
            {
                error = $"invalid --query '{DisplayText.OneLine(value)}': expected NAME=VALUE or a query string such as a=1&b=2";
                return false;
            }

            int equals = raw.IndexOf('=', StringComparison.Ordinal);
            if (equals == 0)
            {
                error = $"invalid --query '{DisplayText.OneLine(value)}': the name before '=' is empty";
                return false;
            }

            parts.Add(equals < 0 || raw.Contains('&', StringComparison.Ordinal) || raw.Contains('%', StringComparison.Ordinal)
                ? raw
                : Uri.EscapeDataString(raw[..equals]) + "=" + Uri.EscapeDataString(raw[(equals + 1)..]));
        }

        query = parts.Count == 0 ? null : string.Join('&', parts);
        error = null;
        return true;
    }

    /// <summary>Creates the transport <c>--transport</c> names.</summary>
    /// <param name="name">A value checked by <see cref="TryParseTransport"/>.</param>
    /// <param name="http">The HTTP client the transport uses.</param>
    /// <returns>The transport.</returns>
    public static IClientTransport CreateTransport(string name, IHttpClient http) => name switch
    {
        TransportNames.WebSockets => new WebSocketTransport(http),
        TransportNames.ServerSentEvents => new ServerSentEventsTransport(http),
        TransportNames.LongPolling => new LongPollingTransport(http),
        _ => new AutoTransport(http),
    };

    // RFC 9110 token characters.
    private static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal);

    private async Task<int> InvokeAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        // System.CommandLine handles Ctrl+C only once the action has returned its task: return it at once.
        await Task.Yield();
        double linger = parseResult.GetValue(_linger);
        if (!TryParseUrl(parseResult.GetValue(_url), out string? url, out string urlQuery, out string? error)
            || !TryParseTransport(parseResult.GetValue(_transport), out string? transportName, out error)
            || !TryParseHeaders(parseResult.GetValue(_headers), out var headers, out error)
            || !TryBuildQueryString(urlQuery, parseResult.GetValue(_query), out string? query, out error)
            || !ConnectHubMode.TryCreate(parseResult.GetValue(_hub), url, query, _sink, out ConnectHubMode? hubMode, out error))
        {
            _sink.Error(error);
            return 1;
        }

        if (linger < 0 || !double.IsFinite(linger))
        {
            _sink.Error("--linger must be 0 or a positive number of seconds.");
            return 1;
        }

        double stats = parseResult.GetValue(_stats);
        if (stats < 0 || !double.IsFinite(stats) || stats > MaxLingerSeconds)
        {
            _sink.Error("--stats must be 0 or a positive number of seconds.");
            return 1;
        }

        using var http = new DefaultHttpClient();
        using var transport = CreateTransport(transportName, http);
        Connection connection = hubMode?.Connection ?? new Connection(url, query);
        await using var disposeConnection = connection.ConfigureAwait(false);
        foreach (var header in headers)
        {
            connection.Headers[header.Key] = header.Value;
        }

        var verbosity = parseResult.GetValue(_verbosity);
        AttachOutput(connection, parseResult.GetValue(_json), verbosity, printReceived: hubMode is null);
        var counts = new LiveCounts(connection);
        using var stopCounts = new CancellationTokenSource();
        Task printCounts = stats > 0 ? counts.PrintEveryAsync(connection, _sink, TimeSpan.FromSeconds(stats), stopCounts.Token) : Task.CompletedTask;

        // Closed is raised by our own stop too; only a close before it (the connection gave up) ends the command with an error.
        var closedOnItsOwn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool stopping = false;
        connection.Closed += () =>
        {
            if (!Volatile.Read(ref stopping))
            {
                closedOnItsOwn.TrySetResult();
            }
        };

        try
        {
            try
            {
                await connection.StartAsync(transport, cancellationToken).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Whatever stops the start (refused, 404, timeout, TLS) ends the command with one line.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                // Ctrl+C during the start is a stop, not a failure.
                if (cancellationToken.IsCancellationRequested)
                {
                    return 0;
                }

                _sink.Error($"could not connect to {url}: {ErrorText.Describe(ex)}");
                return 1;
            }

            if (!Console.IsInputRedirected && verbosity != Verbosity.Quiet)
            {
                _sink.Info("Type a line and press Enter to send it. Ctrl+D (end of input) or Ctrl+C stops.");
            }

            Func<string, CancellationToken, Task> send = hubMode is null ? connection.SendAsync : hubMode.InvokeLineAsync;
            bool endOfInput = await SendLinesAsync(send, counts, InputLines.Start(_input()), closedOnItsOwn.Task, cancellationToken).ConfigureAwait(false);
            if (endOfInput && linger > 0 && !closedOnItsOwn.Task.IsCompleted)
            {
                // Task.WhenAny does not throw: a cancelled delay (Ctrl+C) just ends the wait.
                var delay = TimeSpan.FromSeconds(Math.Min(linger, MaxLingerSeconds));
                await Task.WhenAny(Task.Delay(delay, cancellationToken), closedOnItsOwn.Task).ConfigureAwait(false);
            }

            if (closedOnItsOwn.Task.IsCompleted)
            {
                string reason = connection.LastError is { } lastError ? ": " + ErrorText.Describe(lastError) : string.Empty;
                _sink.Error($"the connection to {url} closed{reason}");
                return 1;
            }

            return 0;
        }
        finally
        {
            Volatile.Write(ref stopping, true);
            await StopAsync(connection).ConfigureAwait(false);
            await stopCounts.CancelAsync().ConfigureAwait(false);
            await printCounts.ConfigureAwait(false);
        }
    }

    /// <summary>Prints the connection's events as text or JSON lines; quiet prints received messages only, detailed adds the client's trace on stderr.</summary>
    private void AttachOutput(Connection connection, bool json, Verbosity verbosity, bool printReceived)
    {
        if (json)
        {
            ClientEventJsonPrinter.Attach(connection, _sink, TimeProvider.System, quiet: verbosity == Verbosity.Quiet);
        }
        else if (verbosity == Verbosity.Quiet)
        {
            if (printReceived)
            {
                connection.Received += data => _sink.Info(data);
            }
        }
        else
        {
            ClientEventPrinter.Attach(connection, _sink, prefix: string.Empty, maxMessageLength: int.MaxValue, printReceived);
        }

        if (verbosity == Verbosity.Detailed)
        {
            connection.TraceLevel = TraceLevels.All;
            connection.TraceWriter = Console.Error;
        }
    }

    /// <summary>Sends each line until the input ends, the connection closes on its own, or Ctrl+C.</summary>
    /// <returns>Whether the input ended.</returns>
    private async Task<bool> SendLinesAsync(Func<string, CancellationToken, Task> send, LiveCounts counts, ChannelReader<string> lines, Task closed, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task<bool> waitForLine = lines.WaitToReadAsync(cancellationToken).AsTask();
            if (await Task.WhenAny(waitForLine, closed).ConfigureAwait(false) == closed)
            {
                return false;
            }

            bool more;
            try
            {
                more = await waitForLine.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return false;
            }
#pragma warning disable CA1031 // The input failed (e.g. closed descriptor): as the end of input, but said.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _sink.Error("could not read standard input: " + ErrorText.Describe(ex));
                return true;
            }

            if (!more)
            {
                return true;
            }

            while (lines.TryRead(out string? line))
            {
                try
                {
                    // While reconnecting, the send waits in the connection's queue until it is connected again.
                    await send(line, cancellationToken).ConfigureAwait(false);
                    counts.Sent();
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return false;
                }
#pragma warning disable CA1031 // A failed send is reported and the next line is tried; a closed connection ends the loop above.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    _sink.Error("could not send: " + ErrorText.Describe(ex));
                }
            }
        }
    }

    // Never throws: past the timeout, the connection stops waiting for the server and closes.
    private static async Task StopAsync(Connection connection)
    {
        using var timeout = new CancellationTokenSource(StopTimeout);
        await connection.StopAsync(timeout.Token).ConfigureAwait(false);
    }
}
