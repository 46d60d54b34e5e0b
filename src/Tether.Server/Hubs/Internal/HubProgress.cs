namespace Tether.Server.Hubs.Internal;

/// <summary>
/// The <see cref="IProgress{T}"/> a hub method gets: each report is sent to the caller at once, in order, before the
/// result; reports after the method returned are refused.
/// </summary>
internal sealed class HubProgress<T>(HubProgressChannel channel) : IProgress<T>
{
    public void Report(T value) => channel.Report(value);
}

/// <summary>The reports of one call, published in order; the result waits for them.</summary>
internal sealed class HubProgressChannel(Func<object?, Task> publish)
{
    private readonly Lock _gate = new();
    private Task _published = Task.CompletedTask;
    private bool _completed;

    public void Report(object? value)
    {
        lock (_gate)
        {
            if (_completed)
            {
                throw new InvalidOperationException("You cannot report progress on a hub method invocation that has already completed.");
            }

            var previous = _published;
            _published = PublishAfterAsync(previous, value);
        }
    }

    /// <summary>Refuses further reports and waits for those made.</summary>
    public Task CompleteAsync()
    {
        lock (_gate)
        {
            _completed = true;
            return _published;
        }
    }

    private async Task PublishAfterAsync(Task previous, object? value)
    {
        await previous.ConfigureAwait(false);
        await publish(value).ConfigureAwait(false);
    }
}
