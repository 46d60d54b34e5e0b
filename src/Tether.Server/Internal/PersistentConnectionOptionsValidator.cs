using Microsoft.Extensions.Options;

namespace Tether.Server.Internal;

/// <summary>Fails startup with a clear message when the options cannot work together.</summary>
internal sealed class PersistentConnectionOptionsValidator : IValidateOptions<PersistentConnectionOptions>
{
    public ValidateOptionsResult Validate(string? name, PersistentConnectionOptions options)
    {
        List<string> failures = [];
        if (options.DisconnectTimeout <= TimeSpan.Zero)
        {
            failures.Add($"DisconnectTimeout must be positive (was {options.DisconnectTimeout}).");
        }

        if (options.KeepAlive is { } keepAlive)
        {
            if (keepAlive <= TimeSpan.Zero)
            {
                failures.Add($"KeepAlive must be positive, or null to turn keep-alives off (was {keepAlive}).");
            }
            else if (keepAlive > options.DisconnectTimeout / 3)
            {
                failures.Add($"KeepAlive ({keepAlive}) must be at most a third of DisconnectTimeout ({options.DisconnectTimeout}), or clients reconnect before a keep-alive arrives.");
            }
        }

        if (options.ConnectionTimeout <= TimeSpan.Zero)
        {
            failures.Add($"ConnectionTimeout must be positive (was {options.ConnectionTimeout}).");
        }

        if (options.TransportConnectTimeout <= TimeSpan.Zero)
        {
            failures.Add($"TransportConnectTimeout must be positive (was {options.TransportConnectTimeout}).");
        }

        if (options.LongPollDelay < TimeSpan.Zero)
        {
            failures.Add($"LongPollDelay must not be negative (was {options.LongPollDelay}).");
        }

        if (options.DefaultMessageBufferSize < 1)
        {
            failures.Add($"DefaultMessageBufferSize must be at least 1 (was {options.DefaultMessageBufferSize}).");
        }

        if (options.MaxIncomingWebSocketMessageSize is < 1)
        {
            failures.Add($"MaxIncomingWebSocketMessageSize must be positive, or null for no limit (was {options.MaxIncomingWebSocketMessageSize}).");
        }

        if (options.MaxIncomingSendSize < 1)
        {
            failures.Add($"MaxIncomingSendSize must be positive (was {options.MaxIncomingSendSize}).");
        }

        if (options.MaxTopicBufferBytes < 1)
        {
            failures.Add($"MaxTopicBufferBytes must be positive (was {options.MaxTopicBufferBytes}).");
        }

        if (options.MaxBufferedBytes < options.MaxTopicBufferBytes)
        {
            failures.Add($"MaxBufferedBytes ({options.MaxBufferedBytes}) must be at least MaxTopicBufferBytes ({options.MaxTopicBufferBytes}).");
        }

        if (options.MaxResponseBytes < 1)
        {
            failures.Add($"MaxResponseBytes must be positive (was {options.MaxResponseBytes}).");
        }

        if (options.WriteTimeout <= TimeSpan.Zero)
        {
            failures.Add($"WriteTimeout must be positive (was {options.WriteTimeout}).");
        }

        if ((options.Transports & PersistentConnectionTransports.All) == PersistentConnectionTransports.None)
        {
            failures.Add("Transports must enable at least one transport.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
