using System.Reflection;
using Microsoft.AspNetCore.Authorization;

namespace Tether.Server.Hubs.Internal;

/// <summary>One method of a hub that clients may call: its name, the parameters clients fill and how its result is read.</summary>
internal sealed class HubMethodDescriptor
{
    private readonly PropertyInfo? _taskResult;

    public HubMethodDescriptor(HubDescriptor hub, MethodInfo method)
    {
        Hub = hub;
        Method = method;
        Name = method.GetCustomAttribute<HubMethodNameAttribute>()?.MethodName ?? method.Name;
        var parameters = method.GetParameters();
        if (parameters.Length > 0 && ProgressTypeOf(parameters[^1].ParameterType) is { } progress)
        {
            ProgressType = progress;
            parameters = parameters[..^1];
        }

        Parameters = parameters;
        var returnType = method.ReturnType;
        IsAwaitable = typeof(Task).IsAssignableFrom(returnType);
        _taskResult = returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(Task<>) ? returnType.GetProperty(nameof(Task<object>.Result)) : null;
        AuthorizeData = [.. method.GetCustomAttributes(inherit: true).OfType<IAuthorizeData>()];
        AllowsAnonymous = method.GetCustomAttributes(inherit: true).OfType<IAllowAnonymous>().Any();
    }

    public HubDescriptor Hub { get; }

    public MethodInfo Method { get; }

    /// <summary>The name clients call it by.</summary>
    public string Name { get; }

    /// <summary>The parameters clients pass, without a trailing <see cref="IProgress{T}"/>.</summary>
    public IReadOnlyList<ParameterInfo> Parameters { get; }

    /// <summary>The <c>T</c> of a trailing <see cref="IProgress{T}"/> parameter, or <see langword="null"/>.</summary>
    public Type? ProgressType { get; }

    public IReadOnlyList<IAuthorizeData> AuthorizeData { get; }

    public bool AllowsAnonymous { get; }

    private bool IsAwaitable { get; }

    /// <summary>Runs the method on <paramref name="hub"/> and returns its result (awaited), or <see langword="null"/> for none.</summary>
    public async Task<object?> InvokeAsync(IHub hub, object?[] arguments)
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
    public override string ToString() => $"{Name}({string.Join(", ", Parameters.Select(p => p.ParameterType.Name))})";

    private static Type? ProgressTypeOf(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IProgress<>) ? type.GetGenericArguments()[0] : null;
}
