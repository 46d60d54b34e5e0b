using System.Reflection;
using Microsoft.AspNetCore.Authorization;

namespace Tether.Server.Hubs;

/// <summary>One method of a hub that clients may call: its name, the parameters clients fill and how its result is read.</summary>
public sealed class MethodDescriptor
{
    private readonly PropertyInfo? _taskResult;

    internal MethodDescriptor(HubDescriptor hub, MethodInfo method)
    {
        Hub = hub;
        Method = method;
        Name = method.GetCustomAttribute<HubMethodNameAttribute>()?.MethodName ?? method.Name;
        var parameters = method.GetParameters();
        if (parameters.Length > 0 && ProgressTypeOf(parameters[^1].ParameterType) is { } progress)
        {
            ProgressReportingType = progress;
            parameters = parameters[..^1];
        }

        Parameters = parameters;
        var returnType = method.ReturnType;
        IsAwaitable = typeof(Task).IsAssignableFrom(returnType);
        _taskResult = returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(Task<>) ? returnType.GetProperty(nameof(Task<object>.Result)) : null;
        AuthorizeData = [.. method.GetCustomAttributes(inherit: true).OfType<IAuthorizeData>()];
        AllowsAnonymous = method.GetCustomAttributes(inherit: true).OfType<IAllowAnonymous>().Any();
    }

    /// <summary>The hub the method belongs to.</summary>
    public HubDescriptor Hub { get; }

    /// <summary>The method.</summary>
    public MethodInfo Method { get; }

    /// <summary>The name clients call it by.</summary>
    public string Name { get; }

    /// <summary>The parameters clients pass, without a trailing <see cref="IProgress{T}"/>.</summary>
    public IReadOnlyList<ParameterInfo> Parameters { get; }

    /// <summary>The <c>T</c> of a trailing <see cref="IProgress{T}"/> parameter, or <see langword="null"/>.</summary>
    public Type? ProgressReportingType { get; }

    /// <summary>The method's return type.</summary>
    public Type ReturnType => Method.ReturnType;

    internal IReadOnlyList<IAuthorizeData> AuthorizeData { get; }

    internal bool AllowsAnonymous { get; }

    private bool IsAwaitable { get; }

    /// <summary>Runs the method on <paramref name="hub"/> and returns its result (awaited), or <see langword="null"/> for none.</summary>
    internal async Task<object?> InvokeAsync(IHub hub, object?[] arguments)
    {
        object? returned;
        try
        {
            returned = Method.Invoke(hub, arguments);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            throw;
        }

        if (!IsAwaitable || returned is not Task task)
        {
            return returned;
        }

        await task.ConfigureAwait(false);
        return _taskResult?.GetValue(task);
    }

    /// <summary>A description for error messages: <c>Name(Type, Type)</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => $"{Name}({string.Join(", ", Parameters.Select(p => p.ParameterType.Name))})";

    private static Type? ProgressTypeOf(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IProgress<>) ? type.GetGenericArguments()[0] : null;
}
