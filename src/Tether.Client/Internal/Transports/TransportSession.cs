using System;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace Tether.Client.Internal.Transports;

/// <summary>What the three transport sessions share: the context, the output, the loop's start and how it ended.</summary>
internal abstract class TransportSession : ITransport
{
    private readonly TaskCompletionSource<TransportEnd> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected TransportSession(TransportContext context)
    {
        Context = context;
        Output = new TransportOutput(context.TraceMessages);
    }

    public abstract string Name { get; }

    public abstract bool SupportsKeepAlive { get; }

    public ChannelReader<TransportReport> Reports => Output.Reader;

    public Task<TransportEnd> Completion => _completion.Task;

    protected TransportContext Context { get; }

    protected TransportOutput Output { get; }

    /// <summary>Cancelled by <see cref="StopAsync"/>.</summary>
    protected CancellationTokenSource CloseCts { get; } = new();

    public void Start() => _ = RunAsync();

    public abstract ValueTask SendAsync(string data, CancellationToken cancellationToken);

    public abstract void LostConnection();

    public virtual async Task StopAsync()
    {
        CloseCts.Cancel();
        await Task.WhenAny(Completion, Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
    }

    /// <summary>Releases the session's own resources; call after <see cref="StopAsync"/>.</summary>
    public virtual void Dispose() => CloseCts.Dispose();

    /// <summary>The receive loop. <paramref name="closing"/> fires when torn down, <paramref name="stoppingOrClosing"/> also when <c>Stop</c> begins.</summary>
    protected abstract Task RunCoreAsync(CancellationToken closing, CancellationToken stoppingOrClosing);

    /// <summary>After the loop, before the output completes.</summary>
    protected virtual void OnEnded()
    {
    }

    private async Task RunAsync()
    {
        TransportEnd end;
        using var closing = CancellationTokenSource.CreateLinkedTokenSource(Context.DisconnectToken, CloseCts.Token);
        using var stoppingOrClosing = CancellationTokenSource.CreateLinkedTokenSource(closing.Token, Context.StopToken);
        try
        {
            await RunCoreAsync(closing.Token, stoppingOrClosing.Token).ConfigureAwait(false);
            end = new TransportEnd(stoppingOrClosing.IsCancellationRequested ? TransportEndKind.Cancelled : TransportEndKind.Closed);
        }
        catch (Exception ex)
        {
            TransportLog.LoopFailed(Context.Logger, Name, ex);
            end = new TransportEnd(TransportEndKind.Failed, ex);
        }

        OnEnded();
        Output.Complete();
        _completion.TrySetResult(end);
    }
}
