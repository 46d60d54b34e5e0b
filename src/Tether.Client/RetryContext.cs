using System;

namespace Tether.Client;

/// <summary>What an <see cref="IRetryPolicy"/> knows when it picks the next delay.</summary>
public sealed class RetryContext
{
    /// <summary>Creates a context.</summary>
    /// <param name="previousRetryCount">How many renegotiation attempts failed so far.</param>
    /// <param name="elapsedTime">How long the connection has been retrying since the classic window ended.</param>
    /// <param name="retryReason">Why the connection is retrying: the reconnect timeout, or the last attempt's failure.</param>
    public RetryContext(long previousRetryCount, TimeSpan elapsedTime, Exception retryReason)
    {
        PreviousRetryCount = previousRetryCount;
        ElapsedTime = elapsedTime;
        RetryReason = retryReason;
    }

    /// <summary>How many renegotiation attempts failed so far (0 before the first).</summary>
    public long PreviousRetryCount { get; }

    /// <summary>How long the connection has been retrying since the classic reconnect window ended.</summary>
    public TimeSpan ElapsedTime { get; }

    /// <summary>Why the connection is retrying: the reconnect timeout, or the last attempt's failure.</summary>
    public Exception RetryReason { get; }
}
