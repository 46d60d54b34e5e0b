using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Tether.Server.Diagnostics;
using Tether.Server.Internal;

namespace Tether.Server.Hubs.Internal;

/// <summary>
/// Runs one hub call, whatever wire carried it: finds the hub and the method (by name and argument count), checks
/// authorization, binds the arguments from JSON, runs the method through the pipeline and turns its outcome (result,
/// exception, changed caller state) into a <see cref="HubInvocationResult"/>.
/// </summary>
internal sealed class HubInvoker(HubRuntime runtime, IServiceScopeFactory scopes, TetherServerMetrics metrics)
{
    /// <summary>The hub tag of a call to a hub that does not exist, so callers cannot grow the set of tag values.</summary>
    private const string UnknownHub = "unknown";

    /// <summary>
    /// Runs <paramref name="invocation"/> in a <c>Tether.HubInvocation</c> span, counted and timed under its hub and
    /// outcome; <paramref name="sendProgress"/> carries progress reports to the caller.
    /// </summary>
    [RequiresUnreferencedCode("Hub methods are found and called by reflection.")]
    [RequiresDynamicCode("Hub method arguments are bound and progress reporters made at run time.")]
    public async Task<HubInvocationResult> InvokeAsync(HubInvocation invocation, IRequest request, string connectionId, Func<object?, IDictionary<string, object?>?, Task> sendProgress)
    {
        var hub = runtime.Catalog.Find(invocation.Hub);
        string hubTag = hub?.Name ?? UnknownHub;
        long startTimestamp = Stopwatch.GetTimestamp();
        using var activity = TetherServerMetrics.HubInvoking(hubTag, invocation.Method, connectionId);
        HubInvocationResult? result = null;
        try
        {
            result = hub is null
                ? new HubInvocationResult(invocation.Id) { Error = ConnectionData.HubCouldNotBeResolved(invocation.Hub) }
                : await RunAsync(hub, invocation, request, connectionId, sendProgress).ConfigureAwait(false);
            return result;
        }
        finally
        {
            metrics.HubInvoked(activity, hubTag, startTimestamp, OutcomeOf(result), result?.Error);
        }
    }

    /// <summary>The outcome tag of a call: <paramref name="result"/> is <see langword="null"/> when the call threw (the server is unavailable).</summary>
    private static string OutcomeOf(HubInvocationResult? result) => result switch
    {
        { Error: null } => HubInvocationOutcome.Ok,
        { IsHubException: true } => HubInvocationOutcome.HubError,
        _ => HubInvocationOutcome.Error,
    };

    [RequiresUnreferencedCode("Hub methods are found and called by reflection.")]
    [RequiresDynamicCode("Hub method arguments are bound and progress reporters made at run time.")]
    private async Task<HubInvocationResult> RunAsync(HubDescriptor hub, HubInvocation invocation, IRequest request, string connectionId, Func<object?, IDictionary<string, object?>?, Task> sendProgress)
    {
        var state = new StateChangeTracker(invocation.State);
        HubProgressChannel? progress = null;
        try
        {
            var (method, arguments) = Resolve(hub, invocation);
            if (!await runtime.Authorizer.CanInvokeAsync(method, request.User).ConfigureAwait(false))
            {
                throw new UnauthorizedAccessException($"Caller is not authorized to invoke the {method.Name} method on {hub.Name}.");
            }

            if (method.ProgressReportingType is { } progressType)
            {
                progress = new HubProgressChannel(value => sendProgress(value, state.GetChanges()));
                arguments = [.. arguments, Activator.CreateInstance(typeof(HubProgress<>).MakeGenericType(progressType), progress)];
            }

            var scope = scopes.CreateAsyncScope();
            await using (scope.ConfigureAwait(false))
            {
                using var instance = runtime.Activate(hub, scope.ServiceProvider, request, connectionId, state);
                object? result = await runtime.Pipeline.Incoming(new IncomingContext(instance, method, new List<object?>(arguments), state)).ConfigureAwait(false);
                await CompleteAsync(progress).ConfigureAwait(false);
                return new HubInvocationResult(invocation.Id) { Result = result, State = state.GetChanges() };
            }
        }
        catch (Exception ex) when (RequestFaultHandler.FindUnavailable(ex) is null)
        {
            await CompleteAsync(progress).ConfigureAwait(false);
            return Failure(invocation, ex, state);
        }
    }

    private static Task CompleteAsync(HubProgressChannel? progress) => progress?.CompleteAsync() ?? Task.CompletedTask;

    /// <summary>The overload with as many parameters as arguments whose parameters the arguments bind to, first declared first.</summary>
    [RequiresUnreferencedCode("Hub method arguments are bound by reflection.")]
    [RequiresDynamicCode("Hub method arguments are bound at run time.")]
    private (MethodDescriptor Method, object?[] Arguments) Resolve(HubDescriptor hub, HubInvocation invocation)
    {
        var named = hub.MethodsNamed(invocation.Method);
        if (named.Count == 0)
        {
            throw new MissingMethodException($"'{invocation.Method}' method could not be resolved. No method found with that name.");
        }

        var candidates = named.Where(m => m.Parameters.Count == invocation.Arguments.Count).ToList();
        if (candidates.Count == 0)
        {
            throw new MissingMethodException($"'{invocation.Method}' method could not be resolved. Potential candidates are: {string.Join(", ", named)}");
        }

        Exception? bindingError = null;
        foreach (var candidate in candidates)
        {
            try
            {
                return (candidate, Bind(candidate, invocation.Arguments));
            }
            catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
            {
                bindingError ??= ex;
            }
        }

        throw new ArgumentException($"The arguments of '{hub.Name}.{invocation.Method}' could not be bound: {bindingError!.Message}", bindingError);
    }

    [RequiresUnreferencedCode("Hub method arguments are bound by reflection.")]
    [RequiresDynamicCode("Hub method arguments are bound at run time.")]
    private object?[] Bind(MethodDescriptor method, IReadOnlyList<JsonElement> arguments)
    {
        var values = new object?[arguments.Count];
        for (int i = 0; i < values.Length; i++)
        {
            var type = method.Parameters[i].ParameterType;
            values[i] = arguments[i].Deserialize(type, runtime.BindingJson);
            if (values[i] is null && type.IsValueType && Nullable.GetUnderlyingType(type) is null)
            {
                throw new ArgumentException($"null cannot be passed as {type.Name}.");
            }
        }

        return values;
    }

    private HubInvocationResult Failure(HubInvocation invocation, Exception error, StateChangeTracker state)
    {
        HubLog.InvocationFailed(runtime.Logger, invocation.Hub, invocation.Method, error);
        var hubError = error as HubException;
        if (hubError is null && !runtime.Options.EnableDetailedErrors)
        {
            return new HubInvocationResult(invocation.Id)
            {
                State = state.GetChanges(),
                Error = $"There was an error invoking Hub method '{invocation.Hub}.{invocation.Method}'.",
            };
        }

        return new HubInvocationResult(invocation.Id)
        {
            State = state.GetChanges(),
            Error = error.Message,
            IsHubException = hubError is not null,
            ErrorData = hubError?.ErrorData,
        };
    }
}
