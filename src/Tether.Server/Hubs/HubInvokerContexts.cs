namespace Tether.Server.Hubs;

/// <summary>A client's call of a hub method, as pipeline modules see it.</summary>
public interface IHubIncomingInvokerContext
{
    /// <summary>The hub instance the method runs on.</summary>
    IHub Hub { get; }

    /// <summary>The method.</summary>
    MethodDescriptor MethodDescriptor { get; }

    /// <summary>The bound arguments (a trailing <see cref="IProgress{T}"/> included); modules may change them.</summary>
    IList<object?> Args { get; }

    /// <summary>The caller's state.</summary>
    StateChangeTracker StateTracker { get; }
}

/// <summary>A call of a client method, as pipeline modules see it.</summary>
public interface IHubOutgoingInvokerContext
{
    /// <summary>The call.</summary>
    ClientHubInvocation Invocation { get; }

    /// <summary>The bus topics it is published to.</summary>
    IList<string> Signals { get; }

    /// <summary>The connections left out.</summary>
    IList<string> ExcludedSignals { get; }
}

/// <summary>An exception a hub method threw; a module may replace it or turn it into a result.</summary>
/// <param name="error">The exception.</param>
public class ExceptionContext(Exception error)
{
    private object? _result;

    /// <summary>The exception, or <see langword="null"/> once a module set a <see cref="Result"/>.</summary>
    public Exception? Error { get; set; } = error;

    /// <summary>A result that replaces the error; setting it clears <see cref="Error"/>.</summary>
    public object? Result
    {
        get => _result;
        set
        {
            Error = null;
            _result = value;
        }
    }
}
