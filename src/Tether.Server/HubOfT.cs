using System.Diagnostics.CodeAnalysis;
using Tether.Server.Hubs;
using Tether.Server.Hubs.Internal;

namespace Tether.Server;

/// <summary>A hub whose clients are typed: <c>Clients.All.AddMessage(name, text)</c> checked by the compiler.</summary>
/// <typeparam name="T">An interface whose methods are the client methods (each returning <see cref="Task"/>), or <see cref="IClientProxy"/>.</typeparam>
public abstract class Hub<T> : Hub
    where T : class
{
    /// <summary>The hub's clients, typed as <typeparamref name="T"/>.</summary>
    public new IHubCallerConnectionContext<T> Clients
    {
        [RequiresDynamicCode("Typed hub clients are generated at run time.")]
        [RequiresUnreferencedCode("Typed hub clients are generated at run time from the interface's methods.")]
        get => new TypedCallerConnectionContext<T>(base.Clients);
    }
}
