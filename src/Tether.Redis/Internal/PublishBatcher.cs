using System.Globalization;
using StackExchange.Redis;
using Tether.Server.Messaging;

namespace Tether.Redis.Internal;

/// <summary>What became of one publication: its id, or why it was not published.</summary>
/// <param name="Id">The global id Redis gave the message (0 when it failed).</param>
/// <param name="Failure">Why the message was not published, or <see langword="null"/>.</param>
internal readonly record struct PublishOutcome(ulong Id, Exception? Failure);

/// <summary>
/// Sends a node's publications to Redis: at most one publish script is in flight at a time, and the publications that
/// arrive meanwhile go together in the next one (one script call and one PUBLISH for the whole batch).
/// </summary>
/// <remarks>
/// <para>Once Redis has answered, the batch's messages go to the node's intake together (one notification of each
/// topic's subscribers for the whole batch), then their callers resume.</para>
/// <para>A publication made while nothing is in flight is sent at once, on the caller's thread: a lone publisher waits
/// one round trip, as without batching. Batches are sent in the order the publications were made, and the script
/// gives a batch consecutive ids in its order, so every sender's order holds (one awaited publication after another,
/// or several started without awaiting).</para>
/// <para>A batch holds at most <see cref="MaxBatchMessages"/> messages and <see cref="MaxBatchBytes"/> bytes of frames
/// (a larger frame goes alone). Every publication waiting here is one a caller is awaiting: nothing is queued on behalf
/// of a caller that has gone, and a failure reaches every caller of the batch.</para>
/// </remarks>
/// <param name="connection">The Redis connection.</param>
/// <param name="keys">The cluster's keys.</param>
/// <param name="intake">The node's intake: gives the script's floor for a new epoch (the highest id applied) and takes
/// the published messages.</param>
internal sealed class PublishBatcher(RedisConnection connection, RedisKeys keys, RedisIntake intake)
{
    /// <summary>The most messages one script call carries.</summary>
    public const int MaxBatchMessages = 256;

    /// <summary>The most frame bytes one script call carries (unless one frame alone is larger).</summary>
    public const long MaxBatchBytes = 1024 * 1024;

    private readonly Lock _lock = new();
    private readonly Queue<Publication> _waiting = new();
    private readonly RedisBackplaneOptions _options = connection.Options;
    private readonly RedisValue _replayLength = Math.Max(1, connection.Options.ReplayLength);
    private readonly RedisValue _replayMaxBytes = Math.Max(1, connection.Options.ReplayMaxBytes);
    private readonly RedisValue _replayTtlSeconds = (long)Math.Max(1, Math.Ceiling(connection.Options.ReplayTtl.TotalSeconds));
    private bool _sending;

    /// <summary>Publishes one message, in a batch with whatever else is waiting.</summary>
    /// <param name="message">The message.</param>
    /// <param name="frame">Its frame.</param>
    /// <param name="cancellationToken">Withdraws the publication while it waits for a batch (once sent, it stays sent).</param>
    /// <returns>The outcome, once the message is in the intake (or failed); the task never faults.</returns>
    public Task<PublishOutcome> PublishAsync(Message message, byte[] frame, CancellationToken cancellationToken)
    {
        var publication = new Publication(message, frame, cancellationToken);
        bool lead;
        lock (_lock)
        {
            _waiting.Enqueue(publication);
            lead = !_sending;
            _sending = true;
        }

        if (lead)
        {
            _ = SendAsync();
        }

        return publication.Task;
    }

    /// <summary>Sends batches while publications wait, each once the previous one's answer is in.</summary>
    private async Task SendAsync()
    {
        List<Publication>? batch = TakeBatch();
        Task<RedisResult>? reply = batch is null ? null : EvaluateAsync(batch);
        while (batch is not null)
        {
            RedisResult? result = null;
            Exception? failure = null;
            try
            {
                result = await reply!.ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Every failure goes to the batch's callers, which turn it into a RedisBackplaneException.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                failure = ex;
            }

            // The next batch goes out before this one's callers resume.
            List<Publication>? next = TakeBatch();
            Task<RedisResult>? nextReply = next is null ? null : EvaluateAsync(next);
            Complete(batch, result, failure);
            batch = next;
            reply = nextReply;
        }
    }

    /// <summary>The next batch, or <see langword="null"/> (then nothing is being sent any more).</summary>
    private List<Publication>? TakeBatch()
    {
        lock (_lock)
        {
            List<Publication>? batch = null;
            long bytes = 0;
            while (_waiting.TryPeek(out Publication? next)
                && (batch is null || (batch.Count < MaxBatchMessages && bytes + next.Frame.Length <= MaxBatchBytes)))
            {
                _waiting.Dequeue();
                if (next.CancellationToken.IsCancellationRequested)
                {
                    // Its caller has stopped waiting, and nothing was sent: withdrawn.
                    next.TrySetResult(new PublishOutcome(0, new OperationCanceledException(next.CancellationToken)));
                    continue;
                }

                (batch ??= new List<Publication>(Math.Min(_waiting.Count + 1, MaxBatchMessages))).Add(next);
                bytes += next.Frame.Length;
            }

            _sending = batch is not null;
            return batch;
        }
    }

    /// <summary>Sends a batch's script call; a failure, even a synchronous one, comes back as a faulted task.</summary>
    private Task<RedisResult> EvaluateAsync(List<Publication> batch)
    {
        try
        {
            // Connected (the usual case): no state machine of our own per batch.
            Task<IConnectionMultiplexer> connecting = connection.GetAsync();
            return connecting.IsCompletedSuccessfully ? Evaluate(connecting.Result, batch) : EvaluateWhenConnectedAsync(connecting, batch);
        }
#pragma warning disable CA1031 // Every failure goes to the batch's callers, which turn it into a RedisBackplaneException.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return Task.FromException<RedisResult>(ex);
        }
    }

    private async Task<RedisResult> EvaluateWhenConnectedAsync(Task<IConnectionMultiplexer> connecting, List<Publication> batch) =>
        await Evaluate(await connecting.ConfigureAwait(false), batch).ConfigureAwait(false);

    private Task<RedisResult> Evaluate(IConnectionMultiplexer multiplexer, List<Publication> batch)
    {
        var arguments = new RedisValue[Scripts.PublishFixedArguments + batch.Count];
        arguments[0] = intake.AppliedId;
        arguments[1] = _replayLength;
        arguments[2] = keys.ChannelValue;
        arguments[3] = _replayMaxBytes;
        arguments[4] = _replayTtlSeconds;
        for (int i = 0; i < batch.Count; i++)
        {
            arguments[Scripts.PublishFixedArguments + i] = batch[i].Frame;
        }

        return multiplexer.GetDatabase(_options.Database).ScriptEvaluateAsync(Scripts.Publish, keys.PublishKeys, arguments);
    }

    /// <summary>Gives every publication of a batch its outcome.</summary>
    private void Complete(List<Publication> batch, RedisResult? result, Exception? failure)
    {
        ulong first = 0;
        ulong epoch = 0;
        int stored = 0;
        string refusal = string.Empty;
        if (failure is null && !TryReadResult(result, out first, out epoch, out stored, out refusal))
        {
            failure = new RedisBackplaneException("Redis answered the publish script with an unexpected result.");
        }

        if (failure is null)
        {
            // Our own messages need no round trip through pub/sub.
            var items = new IntakeItem[Math.Min(stored, batch.Count)];
            for (int i = 0; i < items.Length; i++)
            {
                items[i] = new IntakeItem(first + (ulong)i, epoch, batch[i].Message);
            }

            intake.Offer(items, IntakeSource.Publisher);
        }

        for (int i = 0; i < batch.Count; i++)
        {
            batch[i].TrySetResult(
                failure is not null ? new PublishOutcome(0, failure)
                : i < stored ? new PublishOutcome(first + (ulong)i, null)
                : new PublishOutcome(0, new RedisBackplaneException($"Redis refused to store the message ({refusal}): it was not sent.")));
        }
    }

    private static bool TryReadResult(RedisResult? result, out ulong first, out ulong epoch, out int stored, out string refusal)
    {
        first = 0;
        epoch = 0;
        stored = 0;
        refusal = string.Empty;
        if (result is null || result.Resp2Type != ResultType.Array || (RedisResult[]?)result is not { Length: 4 } parts)
        {
            return false;
        }

        try
        {
            first = (ulong)(long)parts[0];
            stored = (int)parts[2];
            refusal = (string?)parts[3] ?? string.Empty;
        }
        catch (InvalidCastException)
        {
            return false;
        }

        return ulong.TryParse((string?)parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out epoch) && first > 0 && stored > 0;
    }

    /// <summary>One waiting publication; completes (asynchronously for its caller) with its outcome.</summary>
    private sealed class Publication(Message message, byte[] frame, CancellationToken cancellationToken)
        : TaskCompletionSource<PublishOutcome>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public CancellationToken CancellationToken { get; } = cancellationToken;

        public Message Message { get; } = message;

        public byte[] Frame { get; } = frame;
    }
}
