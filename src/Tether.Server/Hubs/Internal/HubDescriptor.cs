using System.Reflection;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;

namespace Tether.Server.Hubs.Internal;

/// <summary>One hub class: the name clients use, how an instance is made, and the methods clients may call.</summary>
internal sealed class HubDescriptor
{
    private readonly Dictionary<string, HubMethodDescriptor[]> _methods;
    private readonly ObjectFactory _factory;

    public HubDescriptor(Type hubType)
    {
        HubType = hubType;
        Name = hubType.GetCustomAttribute<HubNameAttribute>()?.HubName ?? hubType.Name;
        _factory = ActivatorUtilities.CreateFactory(hubType, Type.EmptyTypes);
        _methods = hubType.GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(IsHubMethod)
            .Select(m => new HubMethodDescriptor(this, m))
            .GroupBy(m => m.Name, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.OrdinalIgnoreCase);
        AuthorizeData = [.. hubType.GetCustomAttributes(inherit: true).OfType<IAuthorizeData>()];
    }

    /// <summary>The name clients use (its <see cref="HubNameAttribute"/>, or the class name).</summary>
    public string Name { get; }

    public Type HubType { get; }

    public IReadOnlyList<IAuthorizeData> AuthorizeData { get; }

    public IEnumerable<HubMethodDescriptor> Methods => _methods.Values.SelectMany(m => m);

    /// <summary>The methods called <paramref name="name"/> (any letter case), every overload.</summary>
    public IReadOnlyList<HubMethodDescriptor> MethodsNamed(string name) => _methods.TryGetValue(name, out var found) ? found : [];

    /// <summary>Creates an instance from <paramref name="services"/>.</summary>
    public IHub Create(IServiceProvider services) => (IHub)_factory(services, null);

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
