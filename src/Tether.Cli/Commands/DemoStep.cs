using System.Globalization;

namespace Tether.Cli.Commands;

/// <summary>What <c>tether demo</c> is doing, for the error line, and the bound on each step.</summary>
/// <param name="description">The first step's description.</param>
internal sealed class DemoStep(string description)
{
    /// <summary>Marks the <see cref="TimeoutException"/> of a step that took too long.</summary>
    public const string TimeoutMarker = "tether-demo-step";

    /// <summary>The most any one step (start the server, connect, an echo, a call, a stop) may take.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>What the demo is doing, e.g. <c>waiting for the echo of 'echo 1 of 3 over webSockets'</c>.</summary>
    public string Description { get; private set; } = description;

    /// <summary>Names the step that starts now.</summary>
    /// <param name="description">What it does.</param>
    public void Describe(string description) => Description = description;

    /// <summary>Runs a step with <see cref="Timeout"/>; its token fires at the timeout or on Ctrl+C.</summary>
    /// <param name="action">The step.</param>
    /// <param name="cancellationToken">Ctrl+C.</param>
    /// <returns>A task that completes with the step.</returns>
    public async Task RunAsync(Func<CancellationToken, Task> action, CancellationToken cancellationToken) =>
        await RunAsync(async ct =>
        {
            await action(ct).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);

    /// <summary>Runs a step with <see cref="Timeout"/>; its token fires at the timeout or on Ctrl+C.</summary>
    /// <typeparam name="T">What the step gives.</typeparam>
    /// <param name="action">The step.</param>
    /// <param name="cancellationToken">Ctrl+C.</param>
    /// <returns>What the step gave.</returns>
    /// <exception cref="TimeoutException">The step took longer than <see cref="Timeout"/> (marked with <see cref="TimeoutMarker"/>).</exception>
    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> action, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            // WaitAsync bounds even an action that ignores its token.
            return await action(timeout.Token).WaitAsync(Timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when ((ex is TimeoutException || (ex is OperationCanceledException && timeout.IsCancellationRequested)) && !cancellationToken.IsCancellationRequested)
        {
            var error = new TimeoutException(string.Create(CultureInfo.InvariantCulture,
                $"{Description}: nothing happened within {Timeout.TotalSeconds} s"), ex);
            error.Data[TimeoutMarker] = true;
            throw error;
        }
    }
}
