using System;
using System.Globalization;
using System.Text.Json;

namespace Tether.Protocol;

/// <summary>
/// A <c>/negotiate</c> answer as a client reads it: the classic fields (<see cref="NegotiationResponse"/> writes them),
/// the redirect fields that only 2.x servers and redirectors send, and whether the answer came from an ASP.NET Core
/// SignalR server, which speaks another protocol.
/// </summary>
/// <remarks>
/// Parsing is lenient as Json.NET's was: numbers may arrive as JSON numbers or numeric strings, unknown fields are
/// ignored, and a missing field keeps its default. Validating the values (protocol version, redirect limits) is the
/// client's job.
/// </remarks>
public sealed class NegotiationAnswer
{
    /// <summary>The app-relative endpoint path; the .NET client ignores it.</summary>
    public string? Url { get; private set; }

    /// <summary>The protected connection token, or <see langword="null"/> when absent.</summary>
    public string? ConnectionToken { get; private set; }

    /// <summary>The connection id, or <see langword="null"/> when absent.</summary>
    public string? ConnectionId { get; private set; }

    /// <summary>Twice the server's keep-alive interval, in seconds; <see langword="null"/> when keep-alives are off.</summary>
    public double? KeepAliveTimeout { get; private set; }

    /// <summary>How long a client keeps reconnecting before it gives up, in seconds.</summary>
    public double DisconnectTimeout { get; private set; }

    /// <summary>How long the server holds a long poll, in seconds.</summary>
    public double ConnectionTimeout { get; private set; }

    /// <summary>Whether the client should try WebSockets.</summary>
    public bool TryWebSockets { get; private set; }

    /// <summary>The server's protocol version as sent (e.g. <c>2.0</c>), or <see langword="null"/> when absent.</summary>
    public string? ProtocolVersion { get; private set; }

    /// <summary>How long the init message may take after <c>/connect</c>, in seconds, before the client adds its own value.</summary>
    public double TransportConnectTimeout { get; private set; }

    /// <summary>The delay between long polls the server asks for, in seconds.</summary>
    public double LongPollDelay { get; private set; }

    /// <summary>Protocol 2.0 and later: the URL to negotiate with instead (it may carry a query string).</summary>
    public string? RedirectUrl { get; private set; }

    /// <summary>Protocol 2.0 and later, with <see cref="RedirectUrl"/>: the bearer token for the redirected requests.</summary>
    public string? AccessToken { get; private set; }

    /// <summary>Protocol 2.0 and later: an error the server wants the client to fail its start with.</summary>
    public string? Error { get; private set; }

    /// <summary>
    /// Whether the answer has an <c>availableTransports</c> field, i.e. it comes from an ASP.NET Core SignalR server,
    /// whose protocol classic clients cannot speak.
    /// </summary>
    public bool IsAspNetCoreSignalR { get; private set; }

    /// <summary>Reads a negotiate answer.</summary>
    /// <param name="json">The answer's body.</param>
    /// <returns>The fields found.</returns>
    /// <exception cref="FormatException">The body is not a JSON object.</exception>
    public static NegotiationAnswer Parse(string json)
    {
        if (json is null)
        {
            throw new ArgumentNullException(nameof(json));
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new FormatException("The negotiate answer is not valid JSON.", ex);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("The negotiate answer is not a JSON object.");
            }

            var answer = new NegotiationAnswer();
            foreach (JsonProperty property in document.RootElement.EnumerateObject())
            {
                JsonElement value = property.Value;
                switch (property.Name)
                {
                    case "Url":
                        answer.Url = ReadString(value);
                        break;
                    case "ConnectionToken":
                        answer.ConnectionToken = ReadString(value);
                        break;
                    case "ConnectionId":
                        answer.ConnectionId = ReadString(value);
                        break;
                    case "KeepAliveTimeout":
                        answer.KeepAliveTimeout = ReadDouble(value);
                        break;
                    case "DisconnectTimeout":
                        answer.DisconnectTimeout = ReadDouble(value) ?? 0;
                        break;
                    case "ConnectionTimeout":
                        answer.ConnectionTimeout = ReadDouble(value) ?? 0;
                        break;
                    case "TryWebSockets":
                        answer.TryWebSockets = value.ValueKind == JsonValueKind.True ||
                            (value.ValueKind == JsonValueKind.String && string.Equals(value.GetString(), "true", StringComparison.OrdinalIgnoreCase));
                        break;
                    case "ProtocolVersion":
                        answer.ProtocolVersion = ReadString(value);
                        break;
                    case "TransportConnectTimeout":
                        answer.TransportConnectTimeout = ReadDouble(value) ?? 0;
                        break;
                    case "LongPollDelay":
                        answer.LongPollDelay = ReadDouble(value) ?? 0;
                        break;
                    case "RedirectUrl":
                        answer.RedirectUrl = ReadString(value);
                        break;
                    case "AccessToken":
                        answer.AccessToken = ReadString(value);
                        break;
                    case "Error":
                        answer.Error = ReadString(value);
                        break;
                    case "availableTransports":
                        answer.IsAspNetCoreSignalR = true;
                        break;
                }
            }

            return answer;
        }
    }

    private static string? ReadString(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "True",
        JsonValueKind.False => "False",
        _ => null,
    };

    private static double? ReadDouble(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Number)
        {
            return value.GetDouble();
        }

        if (value.ValueKind == JsonValueKind.String &&
            double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed))
        {
            return parsed;
        }

        return null;
    }
}
