using System.Reflection;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;

namespace Tether.Server.Hubs;

/// <summary>One hub class: the name clients use, how an instance is made, and the methods clients may call.</summary>
public sealed class HubDescriptor
{
    private readonly Dictionary<string, MethodDescriptor[]> _methods;
    private readonly ObjectFactory _factory;

    internal HubDescriptor(Type hubType)
    {
        HubType = hubType;
        string? specified = hubType.GetCustomAttribute<HubNameAttribute>()?.HubName;
        NameSpecified = specified is not null;
        Name = specified ?? hubType.Name;
        _factory = ActivatorUtilities.CreateFactory(hubType, Type.EmptyTypes);
        _methods = hubType.GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(IsHubMethod)
            .Select(m => new MethodDescriptor(this, m))
            .GroupBy(m => m.Name, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.OrdinalIgnoreCase);
        AuthorizeData = [.. hubType.GetCustomAttributes(inherit: true).OfType<IAuthorizeData>()];
    }

    /// <summary>The name clients use (its <see cref="HubNameAttribute"/>, or the class name).</summary>
    public string Name { get; }

    /// <summary>Whether <see cref="Name"/> comes from a <see cref="HubNameAttribute"/>.</summary>
    public bool NameSpecified { get; }

    /// <summary>The hub class.</summary>
    public Type HubType { get; }

    /// <summary>The methods clients may call, every overload.</summary>
    public IEnumerable<MethodDescriptor> Methods => _methods.Values.SelectMany(m => m);

    internal IReadOnlyList<IAuthorizeData> AuthorizeData { get; }

    /// <summary>The methods called <paramref name="name"/> (any letter case), every overload.</summary>
    internal IReadOnlyList<MethodDescriptor> MethodsNamed(string name) => _methods.TryGetValue(name, out var found) ? found : [];

    /// <summary>Creates an instance from <paramref name="services"/>.</summary>
    internal IHub Create(IServiceProvider services) => (IHub)_factory(services, null);

    /// <summary>Public instance methods declared below <see cref="Hub"/>, not property accessors nor the hub events.</summary>
    private static bool IsHubMethod(MethodInfo method)
    {
        var declaring = method.GetBaseDefinition().DeclaringType;
        return !method.IsSpecialName
            && declaring is not null
            && declaring != typeof(object)
            && declaring != typeof(Hub)
            && !(declaring.IsGenericType && declaring.GetGenericTypeDefinition() == typeof(Hub<>))
            && !method.IsGenericMethodDefinition
            && method.GetParameters().All(p => !p.ParameterType.IsByRef);
    }
}
