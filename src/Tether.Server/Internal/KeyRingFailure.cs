using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Tether.Server.Messaging;

namespace Tether.Server.Internal;

/// <summary>
/// Tells a Data Protection failure caused by its key storage (a key ring kept in Redis while Redis is unreachable)
/// from a token that is simply invalid, and reports the former as <see cref="MessageBusUnavailableException"/>, so the
/// request is answered 503 with Retry-After rather than 500 or "bad token".
/// </summary>
/// <remarks>
/// Data Protection wraps every non-cryptographic failure (for instance StackExchange.Redis's connection exceptions from
/// the key repository) in a <see cref="CryptographicException"/> whose inner exception is the cause; an invalid or
/// tampered payload gives a <see cref="CryptographicException"/> of its own.
/// </remarks>
internal static class KeyRingFailure
{
    private const string Text = "The Data Protection key ring cannot be read; it is kept with the message bus, which is unavailable.";

    /// <summary>Whether <paramref name="ex"/> comes from the key storage rather than from the payload.</summary>
    public static bool IsStorageFailure(CryptographicException ex) =>
        ex.InnerException is not null and not CryptographicException and not ArgumentException and not FormatException;

    /// <summary>Protects <paramref name="plain"/>; a key storage failure becomes <see cref="MessageBusUnavailableException"/>.</summary>
    public static byte[] Protect(IDataProtector protector, byte[] plain)
    {
        try
        {
            return protector.Protect(plain);
        }
        catch (CryptographicException ex) when (IsStorageFailure(ex))
        {
            throw new MessageBusUnavailableException(Text, ex);
        }
    }

    /// <summary>
    /// Unprotects <paramref name="protectedBytes"/>; <see langword="null"/> for an invalid payload, and a key storage
    /// failure becomes <see cref="MessageBusUnavailableException"/>.
    /// </summary>
    public static byte[]? TryUnprotect(IDataProtector protector, byte[] protectedBytes)
    {
        try
        {
            return protector.Unprotect(protectedBytes);
        }
        catch (CryptographicException ex) when (IsStorageFailure(ex))
        {
            throw new MessageBusUnavailableException(Text, ex);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}
