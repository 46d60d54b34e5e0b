using Microsoft.Extensions.DependencyInjection;

namespace Tether.Server;

/// <summary>Returned by <c>AddPersistentConnections</c>; extensions such as a scale-out backplane hang off it.</summary>
public interface IPersistentConnectionBuilder
{
    /// <summary>The application's services.</summary>
    IServiceCollection Services { get; }
}
