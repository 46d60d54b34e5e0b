namespace Tether.Server.Hubs;

/// <summary>Gives a hub the name clients use for it, instead of its class name.</summary>
/// <param name="hubName">The name.</param>
[AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = false)]
public sealed class HubNameAttribute(string hubName) : Attribute
{
    /// <summary>The name.</summary>
    public string HubName { get; } = string.IsNullOrEmpty(hubName) ? throw new ArgumentException("A hub name must not be empty.", nameof(hubName)) : hubName;
}

/// <summary>Gives a hub method the name clients use for it, instead of its own name.</summary>
/// <param name="methodName">The name.</param>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class HubMethodNameAttribute(string methodName) : Attribute
{
    /// <summary>The name.</summary>
    public string MethodName { get; } = string.IsNullOrEmpty(methodName) ? throw new ArgumentException("A method name must not be empty.", nameof(methodName)) : methodName;
}
