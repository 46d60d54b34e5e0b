using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Tether.Cli.Output;

namespace Tether.Cli.Commands;

/// <summary>
/// <c>tether probe URL [--json] [--timeout SECONDS] [--echo-timeout SECONDS] [--header NAME=VALUE]... [--query QUERY]...
/// [--verbosity quiet|normal|detailed]</c>: negotiates with an endpoint, tries every transport, and prints what works
/// with timings, the settings the server advertises, and a diagnosis of what fails. Exits 0 only when everything works.
/// </summary>
internal sealed class ProbeCommand : Command
{
    private readonly Argument<string> _url = new("URL") { Description = "The persistent connection's URL, e.g. http://127.0.0.1:5000/echo." };

    private readonly Option<bool> _json = new("--json") { Description = "Print one JSON document on stdout: the negotiate answer and each transport with its status and timings." };

    private readonly Option<double> _timeout = new("--timeout")
    {
        Description = "How long negotiate and each transport's start may take, in seconds. Default: 10.",
        HelpName = "SECONDS",
        DefaultValueFactory = _ => 10,
    };

    private readonly Option<double> _echoTimeout = new("--echo-timeout")
    {
        Description = "How long to wait for the probe's message to come back, in seconds; an endpoint that does not echo is checked for connect and start only. Default: 2.",
        HelpName = "SECONDS",
        DefaultValueFactory = _ => 2,
    };

    private readonly Option<string[]> _headers = new("--header", "-H") { Description = "A header sent on every request (NAME=VALUE). Repeat for more.", HelpName = "NAME=VALUE" };

    private readonly Option<string[]> _query = new("--query", "-q") { Description = "Query-string values sent on every request, as for connect. Repeat for more.", HelpName = "QUERY" };

    private readonly Option<Verbosity> _verbosity = VerbosityOption.Create();

    private readonly ConsoleSink _sink;

    /// <summary>Creates the command.</summary>
    /// <param name="sink">Where the command prints.</param>
    public ProbeCommand(ConsoleSink sink)
        : base("probe", "Check an endpoint: negotiate, try every transport, print what works with timings, the server's settings, and why something fails.")
    {
        _sink = sink;
        Arguments.Add(_url);
        Options.Add(_json);
        Options.Add(_timeout);
        Options.Add(_echoTimeout);
        Options.Add(_headers);
        Options.Add(_query);
        Options.Add(_verbosity);
        SetAction(InvokeAsync);
    }

    private async Task<int> InvokeAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        await Task.Yield();
        double timeout = parseResult.GetValue(_timeout);
        double echoTimeout = parseResult.GetValue(_echoTimeout);
        if (!ConnectCommand.TryParseUrl(parseResult.GetValue(_url), out string? url, out string urlQuery, out string? error)
            || !ConnectCommand.TryParseHeaders(parseResult.GetValue(_headers), out var headers, out error)
            || !ConnectCommand.TryBuildQueryString(urlQuery, parseResult.GetValue(_query), out string? query, out error))
        {
            _sink.Error(error);
            return 1;
        }

        if (!(timeout > 0 && timeout <= 3600) || !(echoTimeout > 0 && echoTimeout <= 3600))
        {
            _sink.Error("--timeout and --echo-timeout must be positive numbers of seconds, at most 3600.");
            return 1;
        }

        bool json = parseResult.GetValue(_json);
        Verbosity verbosity = parseResult.GetValue(_verbosity);
        using var endpoint = new ProbeEndpoint(url, query, headers);
        var runner = new ProbeRunner(endpoint, TimeSpan.FromSeconds(timeout), TimeSpan.FromSeconds(echoTimeout));
        Action<string>? progress = verbosity == Verbosity.Detailed ? step => _sink.Error("probe: " + step) : null;
        ProbeReport report;
        try
        {
            report = await runner.RunAsync(progress, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return 1;
        }

        if (json)
        {
            _sink.Info(JsonSerializer.Serialize(report, ProbeJsonContext.Default.ProbeReport));
        }
        else if (verbosity != Verbosity.Quiet || !report.Ok)
        {
            Print(report);
        }

        return report.Ok ? 0 : 1;
    }

    private void Print(ProbeReport report)
    {
        var negotiate = report.Negotiate;
        if (negotiate.Settings is not { } settings)
        {
            _sink.Info($"{report.Url}: {negotiate.Error}");
            return;
        }

        _sink.Info(string.Create(CultureInfo.InvariantCulture, $"Negotiated {report.Url} in {negotiate.Milliseconds:0} ms."));
        string keepAlive = settings.KeepAliveTimeoutSeconds is { } k ? Seconds(k) : "off";
        _sink.Info(string.Create(
            CultureInfo.InvariantCulture,
            $"  protocol {settings.ProtocolVersion}, keep-alive timeout {keepAlive}, disconnect timeout {Seconds(settings.DisconnectTimeoutSeconds)}, connection timeout {Seconds(settings.ConnectionTimeoutSeconds)}, transport connect timeout {Seconds(settings.TransportConnectTimeoutSeconds)}, long-poll delay {Seconds(settings.LongPollDelaySeconds)}, WebSockets {(settings.TryWebSockets ? "offered" : "not offered")}"));
        foreach (var transport in report.Transports)
        {
            _sink.Info($"  {transport.Name,-17}{Describe(transport)}");
            if (transport.Diagnosis is { } diagnosis)
            {
                _sink.Info("    diagnosis: " + diagnosis);
            }
        }

        int working = report.Transports.Count(t => t.Status == TransportStatus.Ok);
        _sink.Info(report.Ok ? "Every transport works." : $"{working} of {report.Transports.Count} transports work.");
    }

    private static string Describe(TransportResult result) => result.Status switch
    {
        TransportStatus.Ok => string.Create(CultureInfo.InvariantCulture, $"ok      connected in {result.ConnectMilliseconds:0} ms, ") + result.Echo switch
        {
            EchoStatus.Ok => string.Create(CultureInfo.InvariantCulture, $"echo in {result.EchoMilliseconds:0} ms"),
            _ => "no echo (the endpoint does not echo: connect and start checked only)",
        },
        TransportStatus.NotOffered => "not offered",
        _ => "FAILED  " + result.Error,
    };

    private static string Seconds(double value) => value.ToString("0.###", CultureInfo.InvariantCulture) + " s";
}
