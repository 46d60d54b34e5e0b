using System.Runtime.CompilerServices;

namespace Tether.Tests.Utils;

/// <summary>Bounds every await in a test, and names the line that timed out.</summary>
public static class TaskExtensions
{
    /// <summary>The default bound: generous, because CI machines have 2 cores and run suites in parallel.</summary>
    public static readonly TimeSpan DefaultTimeoutSpan = TimeSpan.FromSeconds(30);

    public static async Task DefaultTimeout(this Task task, TimeSpan? timeout = null, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        try
        {
            await task.WaitAsync(timeout ?? DefaultTimeoutSpan);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Timed out after {(timeout ?? DefaultTimeoutSpan).TotalSeconds} s at {Path.GetFileName(file)}:{line}.");
        }
    }

    public static async Task<T> DefaultTimeout<T>(this Task<T> task, TimeSpan? timeout = null, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        try
        {
            return await task.WaitAsync(timeout ?? DefaultTimeoutSpan);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Timed out after {(timeout ?? DefaultTimeoutSpan).TotalSeconds} s at {Path.GetFileName(file)}:{line}.");
        }
    }

    public static Task DefaultTimeout(this ValueTask task, TimeSpan? timeout = null, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
        => task.AsTask().DefaultTimeout(timeout, file, line);

    public static Task<T> DefaultTimeout<T>(this ValueTask<T> task, TimeSpan? timeout = null, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
        => task.AsTask().DefaultTimeout(timeout, file, line);
}
