using System.Text.Json.Serialization;

namespace Tether.Cli.Commands;

/// <summary>What <c>tether probe</c> found: the negotiate answer and one result per transport.</summary>
/// <param name="Url">The endpoint probed.</param>
/// <param name="Negotiate">The negotiate request.</param>
/// <param name="Transports">One result per transport, in the order tried.</param>
internal sealed record ProbeReport(string Url, NegotiateResult Negotiate, IReadOnlyList<TransportResult> Transports)
{
    /// <summary>Whether negotiate and every transport worked (the exit code is 0 only then).</summary>
    public bool Ok => Negotiate.Ok && Transports.All(t => t.Status == TransportStatus.Ok);
}

/// <summary>The negotiate request and the settings the server advertised in its answer.</summary>
/// <param name="Ok">Whether the server answered with a negotiate response.</param>
/// <param name="Milliseconds">How long the request took.</param>
/// <param name="Error">Why it failed, or <see langword="null"/>.</param>
/// <param name="Settings">The advertised settings, or <see langword="null"/> when it failed.</param>
internal sealed record NegotiateResult(bool Ok, double Milliseconds, string? Error, AdvertisedSettings? Settings);

/// <summary>The settings a negotiate answer advertises.</summary>
internal sealed record AdvertisedSettings(
    string? ProtocolVersion,
    double? KeepAliveTimeoutSeconds,
    double DisconnectTimeoutSeconds,
    double ConnectionTimeoutSeconds,
    double TransportConnectTimeoutSeconds,
    double LongPollDelaySeconds,
    bool TryWebSockets);

/// <summary>How one transport fared.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TransportStatus>))]
internal enum TransportStatus
{
    /// <summary>It connected and started.</summary>
    [JsonStringEnumMemberName("ok")]
    Ok,

    /// <summary>It could not connect or start.</summary>
    [JsonStringEnumMemberName("failed")]
    Failed,

    /// <summary>The server does not offer it (WebSockets with <c>TryWebSockets: false</c>).</summary>
    [JsonStringEnumMemberName("notOffered")]
    NotOffered,
}

/// <summary>Whether the endpoint echoed the probe's message.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<EchoStatus>))]
internal enum EchoStatus
{
    /// <summary>Not tried: the transport did not start.</summary>
    [JsonStringEnumMemberName("notTried")]
    NotTried,

    /// <summary>The message came back.</summary>
    [JsonStringEnumMemberName("ok")]
    Ok,

    /// <summary>Sent, but nothing came back in time: the endpoint does not echo, so only connect and start were checked.</summary>
    [JsonStringEnumMemberName("noEcho")]
    NoEcho,
}

/// <summary>One transport's result.</summary>
/// <param name="Name">The transport, as the protocol names it.</param>
/// <param name="Status">Whether it worked.</param>
/// <param name="ConnectMilliseconds">From the start of the connection to connected (negotiate, connect, start), or <see langword="null"/>.</param>
/// <param name="Echo">Whether an echo came back.</param>
/// <param name="EchoMilliseconds">The echo's round trip, or <see langword="null"/>.</param>
/// <param name="Error">Why it failed, or <see langword="null"/>.</param>
/// <param name="Diagnosis">What probably went wrong and what to do, or <see langword="null"/>.</param>
internal sealed record TransportResult(
    string Name,
    TransportStatus Status,
    double? ConnectMilliseconds,
    EchoStatus Echo,
    double? EchoMilliseconds,
    string? Error,
    string? Diagnosis);

/// <summary>The JSON shape of the report (camelCase, no reflection).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(ProbeReport))]
internal sealed partial class ProbeJsonContext : JsonSerializerContext;
