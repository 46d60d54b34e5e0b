using Microsoft.AspNetCore.DataProtection;

namespace Tether.Server.Internal;

/// <summary>
/// The Data Protection provider that protects Tether's connection and groups tokens: the application's own by default;
/// a backplane may replace it with a key ring of Tether's own (shared by every node), leaving the application's untouched.
/// </summary>
/// <param name="provider">The provider of Tether's tokens.</param>
internal sealed class TokenProtection(IDataProtectionProvider provider)
{
    public IDataProtectionProvider Provider { get; } = provider;
}
