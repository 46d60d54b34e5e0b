using Tether.Server.Internal;

namespace Tether.Server.Tests.Transports;

/// <summary>
/// A receive session's writes share one cancellation source: a write that completes at once arms no deadline, a write
/// that waits is cancelled once WriteTimeout has passed (and reported as a deadline, not as the session's end), and a
/// session dropped by its client cancels what is still being written while an orderly end lets the last response go.
/// </summary>
public sealed class ReceiveSessionTests
{
    private const string ConnectionId = "0f8fad5b-d9cb-469f-a165-70867728950e";

    [Fact]
    public async Task WriteThatWaits_IsCancelledByItsDeadline_AndReportedAsOne()
    {
        using var session = NewSession(TimeSpan.FromMilliseconds(1));
        var token = session.StartWrite();

        session.WriteIsWaiting();
        await CancelledAsync(token);

        Assert.True(session.WriteDeadlinePassed);
        Assert.Equal(ReceiveEndReason.None, session.EndReason);
    }

    [Fact]
    public async Task WriteThatCompletedAtOnce_ArmsNoDeadline()
    {
        using var completed = NewSession(TimeSpan.FromMilliseconds(1));
        var token = completed.StartWrite();
        completed.WriteCompleted();

        // A session whose write waits, with the same timeout: once its deadline has passed, the other one's would have too.
        using var waiting = NewSession(TimeSpan.FromMilliseconds(1));
        var waitingToken = waiting.StartWrite();
        waiting.WriteIsWaiting();
        await CancelledAsync(waitingToken);

        Assert.False(token.IsCancellationRequested);
        Assert.False(completed.WriteDeadlinePassed);
    }

    [Fact]
    public void WriteThatWaited_AndCompleted_IsDisarmed()
    {
        using var session = NewSession(TimeSpan.FromHours(1));
        var token = session.StartWrite();
        session.WriteIsWaiting();

        session.WriteCompleted();

        Assert.False(token.IsCancellationRequested);
        Assert.False(session.WriteDeadlinePassed);
    }

    [Theory]
    [InlineData((int)ReceiveEndReason.ClientGone)]
    [InlineData((int)ReceiveEndReason.WriteTimedOut)]
    public void SessionDropped_CancelsItsWrites_NotAsADeadline(int endReason)
    {
        var reason = (ReceiveEndReason)endReason;
        using var session = NewSession(TimeSpan.FromHours(1));
        var token = session.StartWrite();
        session.WriteIsWaiting();

        session.End(reason);

        Assert.True(token.IsCancellationRequested);
        Assert.True(session.Ended.IsCancellationRequested);
        Assert.False(session.WriteDeadlinePassed);
    }

    [Theory]
    [InlineData((int)ReceiveEndReason.Replaced)]
    [InlineData((int)ReceiveEndReason.Aborted)]
    [InlineData((int)ReceiveEndReason.TimedOut)]
    [InlineData((int)ReceiveEndReason.Shutdown)]
    public void OrderlyEnd_LetsTheLastResponseBeWritten(int endReason)
    {
        var reason = (ReceiveEndReason)endReason;
        using var session = NewSession(TimeSpan.FromHours(1));

        session.End(reason);

        Assert.False(session.StartWrite().IsCancellationRequested);
        Assert.Equal(reason, session.EndReason);
    }

    [Fact]
    public async Task RequestAborted_EndsTheSession_AndWakesItsLoop()
    {
        using var aborted = new CancellationTokenSource();
        using var session = new ReceiveSession(ConnectionId, isLongPolling: true, startedAt: 0, TimeSpan.FromHours(1), aborted.Token);
        var wait = session.Signal.WaitAsync();

        await aborted.CancelAsync();
        await wait.DefaultTimeout();

        Assert.Equal(ReceiveEndReason.ClientGone, session.EndReason);
        Assert.True(session.StartWrite().IsCancellationRequested);
    }

    [Fact]
    public void RequestSnapshot_WithoutAUser_MakesItsAnonymousUserOnlyWhenRead()
    {
        var parts = new HttpRequestView.UrlParts("http", new("127.0.0.1"), "/echo", "/poll", new("?transport=longPolling"));
        var snapshot = new RequestSnapshot(parts, user: null);

        var user = snapshot.User;

        Assert.False(user.Identity?.IsAuthenticated);
        Assert.Same(user, snapshot.User);
        Assert.Equal("/echo/poll", snapshot.LocalPath);
        Assert.Equal("longPolling", snapshot.QueryString["transport"]);
    }

    private static ReceiveSession NewSession(TimeSpan writeTimeout) =>
        new(ConnectionId, isLongPolling: false, startedAt: 0, writeTimeout, CancellationToken.None);

    private static async Task CancelledAsync(CancellationToken token)
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var registration = token.Register(() => cancelled.TrySetResult());
        await cancelled.Task.DefaultTimeout();
    }
}
