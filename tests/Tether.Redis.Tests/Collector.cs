using System.Text;
using Tether.Server.Messaging;

namespace Tether.Redis.Tests;

/// <summary>Reads a bus subscription as a receive loop does, and lets tests await what arrived without sleeping.</summary>
public sealed class Collector : IDisposable
{
    private readonly object _lock = new();
    private readonly List<Message> _messages = [];
    private readonly List<(Func<bool> Done, TaskCompletionSource Tcs)> _waiters = [];
    private readonly SemaphoreSlim _signal = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private volatile int _maxPerRead;

    public Collector(IMessageBus bus, IEnumerable<string> topics, string? cursor = null, int maxPerRead = 1000, bool start = true)
    {
        _maxPerRead = maxPerRead;
        Subscription = bus.Subscribe(topics, cursor, () => _signal.Release());
        _loop = start ? Task.Run(ReadLoop) : Task.CompletedTask;
    }

    public IMessageSubscription Subscription { get; }

    public IReadOnlyList<Message> Messages
    {
        get
        {
            lock (_lock)
            {
                return _messages.ToArray();
            }
        }
    }

    /// <summary>The payloads as text, in order.</summary>
    public IReadOnlyList<string> Texts => Messages.Where(m => m.Command is null).Select(m => Encoding.UTF8.GetString(m.Payload.Span)).ToArray();

    public Task WaitForCount(int count) => WaitUntil(() => _messages.Count >= count);

    /// <summary>
    /// For a collector created with <c>start: false</c>: reads into <paramref name="batch"/> (at most
    /// <paramref name="max"/> per read) until <paramref name="done"/> holds, awaiting the availability callback between
    /// reads instead of spinning.
    /// </summary>
    public async Task ReadUntil(List<Message> batch, int max, Func<List<Message>, bool> done)
    {
        while (!done(batch))
        {
            if (Subscription.Read(batch, max) == 0)
            {
                await _signal.WaitAsync();
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _signal.Release();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }

        Subscription.Dispose();
    }

    private async Task ReadLoop()
    {
        var batch = new List<Message>();
        while (!_stop.IsCancellationRequested)
        {
            batch.Clear();
            if (Subscription.Read(batch, _maxPerRead) > 0)
            {
                List<TaskCompletionSource> done = [];
                lock (_lock)
                {
                    _messages.AddRange(batch);
                    for (int i = _waiters.Count - 1; i >= 0; i--)
                    {
                        if (_waiters[i].Done())
                        {
                            done.Add(_waiters[i].Tcs);
                            _waiters.RemoveAt(i);
                        }
                    }
                }

                done.ForEach(t => t.TrySetResult());
                continue;
            }

            await _signal.WaitAsync();
        }
    }

    private Task WaitUntil(Func<bool> done)
    {
        lock (_lock)
        {
            if (done())
            {
                return Task.CompletedTask;
            }

            var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((done, tcs));
            return tcs.Task;
        }
    }
}
