using System.Text.Json;

namespace Tether.Server.Hubs.Internal;

/// <summary>A client's call of a hub method, whatever wire carried it.</summary>
/// <param name="Hub">The hub name as the client sent it.</param>
/// <param name="Method">The method name as the client sent it.</param>
/// <param name="Arguments">The arguments, as JSON, bound to the method's parameters when it is chosen.</param>
/// <param name="Id">The call's id, echoed in the result.</param>
/// <param name="State">The caller's state, as plain .NET values.</param>
internal sealed record HubInvocation(string Hub, string Method, IReadOnlyList<JsonElement> Arguments, string Id, IDictionary<string, object?> State);

/// <summary>The outcome of a hub call, whatever wire carries it back.</summary>
internal sealed record HubInvocationResult(string Id)
{
    /// <summary>The method's result; <see langword="null"/> for none.</summary>
    public object? Result { get; init; }

    /// <summary>The caller's state that changed, or <see langword="null"/>.</summary>
    public IDictionary<string, object?>? State { get; init; }

    /// <summary>The error text, or <see langword="null"/> on success.</summary>
    public string? Error { get; init; }

    /// <summary>Whether the error is a <see cref="HubException"/>.</summary>
    public bool IsHubException { get; init; }

    /// <summary>The <see cref="HubException.ErrorData"/>.</summary>
    public object? ErrorData { get; init; }

    /// <summary>The stack trace, when detailed errors are on in development.</summary>
    public string? StackTrace { get; init; }
}
