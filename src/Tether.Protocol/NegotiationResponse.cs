using System;
using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace Tether.Protocol;

/// <summary>The JSON answer to <c>/negotiate</c>, with the fields the classic 2.4 server emits, in its order.</summary>
public sealed class NegotiationResponse
{
    /// <summary>The app-relative endpoint path without <c>/negotiate</c>; the JavaScript client builds its receive URLs from it.</summary>
    public string Url { get; set; } = string.Empty;

    /// <summary>The protected connection token; clients treat it as opaque.</summary>
    public string ConnectionToken { get; set; } = string.Empty;

    /// <summary>The connection id (a GUID in <c>d</c> format).</summary>
    public string ConnectionId { get; set; } = string.Empty;

    /// <summary>Twice the keep-alive interval, in seconds; <see langword="null"/> when keep-alives are off.</summary>
    public double? KeepAliveTimeout { get; set; }

    /// <summary>How long a client keeps reconnecting before it gives up, in seconds.</summary>
    public double DisconnectTimeout { get; set; }

    /// <summary>How long the server holds a long poll, in seconds.</summary>
    public double ConnectionTimeout { get; set; }

    /// <summary>Whether clients should try the WebSockets transport.</summary>
    public bool TryWebSockets { get; set; }

    /// <summary>The resolved protocol version, e.g. <c>2.0</c>.</summary>
    public string ProtocolVersion { get; set; } = ProtocolConstants.MaxServerProtocolVersion;

    /// <summary>How long the init message may take after <c>/connect</c>, in seconds (the client adds its own value).</summary>
    public double TransportConnectTimeout { get; set; }

    /// <summary>The delay between long polls the server asks for, in seconds.</summary>
    public double LongPollDelay { get; set; }

    /// <summary>Writes the response exactly as the classic server does: keys in order, whole numbers as <c>20.0</c>.</summary>
    /// <param name="output">Where the UTF-8 JSON goes.</param>
    public void WriteTo(IBufferWriter<byte> output)
    {
        if (output is null)
        {
            throw new ArgumentNullException(nameof(output));
        }

        using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        writer.WriteStartObject();
        writer.WriteString(nameof(Url), Url);
        writer.WriteString(nameof(ConnectionToken), ConnectionToken);
        writer.WriteString(nameof(ConnectionId), ConnectionId);
        writer.WritePropertyName(nameof(KeepAliveTimeout));
        if (KeepAliveTimeout is { } keepAlive)
        {
            writer.WriteRawValue(FormatSeconds(keepAlive), skipInputValidation: true);
        }
        else
        {
            writer.WriteNullValue();
        }

        writer.WritePropertyName(nameof(DisconnectTimeout));
        writer.WriteRawValue(FormatSeconds(DisconnectTimeout), skipInputValidation: true);
        writer.WritePropertyName(nameof(ConnectionTimeout));
        writer.WriteRawValue(FormatSeconds(ConnectionTimeout), skipInputValidation: true);
        writer.WriteBoolean(nameof(TryWebSockets), TryWebSockets);
        writer.WriteString(nameof(ProtocolVersion), ProtocolVersion);
        writer.WritePropertyName(nameof(TransportConnectTimeout));
        writer.WriteRawValue(FormatSeconds(TransportConnectTimeout), skipInputValidation: true);
        writer.WritePropertyName(nameof(LongPollDelay));
        writer.WriteRawValue(FormatSeconds(LongPollDelay), skipInputValidation: true);
        writer.WriteEndObject();
    }

    /// <summary>Formats seconds the way Json.NET formats a double: <c>20.0</c>, <c>2.5</c>.</summary>
    /// <param name="seconds">A finite number of seconds.</param>
    /// <returns>The JSON number text.</returns>
    public static string FormatSeconds(double seconds)
    {
        if (double.IsNaN(seconds) || double.IsInfinity(seconds))
        {
            throw new ArgumentOutOfRangeException(nameof(seconds), seconds, "A timeout must be a finite number of seconds.");
        }

        string text = seconds.ToString("R", CultureInfo.InvariantCulture);
        return text.IndexOfAny(['.', 'E', 'e']) >= 0 ? text : text + ".0";
    }
}
