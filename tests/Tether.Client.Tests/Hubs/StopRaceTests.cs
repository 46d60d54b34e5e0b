using System.Text;
using Tether.Client.Internal;
using Tether.Shared;

namespace Tether.Client.Tests.Hubs;

/// <summary>Stopping from a handler while a result is being read: the invocation fails, it never completes late.</summary>
public sealed class StopRaceTests(HubServer server) : IClassFixture<HubServer>
{
    /// <summary>
    /// <c>Slow</c> calls the caller's <c>addMessage</c> and answers once its gate opens. The handler opens the gate (from
    /// a second connection) and waits until the client has read the result, whose handling the trace writer then holds
    /// (the connection traces each message it received before applying it); the handler stops, and only then is the
    /// result let through. Stopping began before the result was applied, so the invocation fails with the documented error.
    /// </summary>
    [Theory]
    [MemberData(nameof(TetherTransport.Each), MemberType = typeof(TetherTransport))]
    public async Task StopFromAHandlerFailsAPendingInvocationWhoseResultIsBeingRead(string transport)
    {
        var (opener, openerChat) = await HubBeyondClassicScenarios.StartAsync(server.BaseUri.ToString(), ClientUnderTest.LongPolling);
        await using var _ = opener;
        var writer = new ResultHoldingWriter("\"R\":\"late\"");
        var (connection, chat) = await StartTracedAsync(transport, writer);
        await using var __ = connection;

        var invoked = new TaskCompletionSource<Task<string>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var stopped = new TaskCompletionSource<Task<string>>(TaskCreationOptions.RunContinuationsAsynchronously);
        chat.On<string, string>("addMessage", (_, _) =>
        {
            Task<string> slow = invoked.Task.Result;
            openerChat.Invoke("OpenGate", connection.ConnectionId!).Wait(Tether.Tests.Utils.TaskExtensions.DefaultTimeoutSpan);
            writer.ResultRead.Task.Wait(Tether.Tests.Utils.TaskExtensions.DefaultTimeoutSpan);
            connection.Stop();
            writer.Release.TrySetResult();
            stopped.TrySetResult(slow);
        });

        invoked.SetResult(chat.Invoke<string>("Slow"));

        Task<string> pending = await stopped.Task.DefaultTimeout();
        Assert.True(writer.ResultRead.Task.IsCompleted);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => pending.DefaultTimeout());
        Assert.Equal(Resources.InvocationConnectionClosed, error.Message);
        Assert.Equal(ConnectionState.Disconnected, connection.State);
    }

    /// <summary>
    /// A result applied before the stop but still waiting behind a progress callback does not complete its invocation
    /// after the stop either: <c>CountTo(1)</c> reports progress, whose callback blocks; the result is read and applied
    /// (a broadcast sent after it has been read is handled after it); the broadcast's handler stops, then the progress
    /// callback is let go. The invocation fails with the documented error instead of completing late with 1.
    /// </summary>
    [Theory]
    [MemberData(nameof(TetherTransport.Each), MemberType = typeof(TetherTransport))]
    public async Task StopFromAHandlerFailsAnInvocationWhoseResultWaitsBehindProgress(string transport)
    {
        var (opener, openerChat) = await HubBeyondClassicScenarios.StartAsync(server.BaseUri.ToString(), ClientUnderTest.LongPolling);
        await using var _ = opener;
        var resultRead = new ResultHoldingWriter("\"R\":1", hold: false);
        var (connection, chat) = await StartTracedAsync(transport, resultRead);
        await using var __ = connection;

        var progressRunning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseProgress = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        chat.On<string, string>("addMessage", (_, _) =>
        {
            connection.Stop();
            releaseProgress.TrySetResult();
            stopped.TrySetResult();
        });

        Task<int> counting = chat.Invoke<int, int>(
            "CountTo",
            _ =>
            {
                progressRunning.TrySetResult();
                releaseProgress.Task.Wait(Tether.Tests.Utils.TaskExtensions.DefaultTimeoutSpan);
            },
            1);
        await progressRunning.Task.DefaultTimeout();
        await openerChat.Invoke("OpenGate", connection.ConnectionId!).DefaultTimeout();
        await resultRead.ResultRead.Task.DefaultTimeout();
        await openerChat.Invoke("Send", "after", "result").DefaultTimeout();

        await stopped.Task.DefaultTimeout();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => counting.DefaultTimeout());
        Assert.Equal(Resources.InvocationConnectionClosed, error.Message);
    }

    /// <summary>A hub connection whose message trace goes to <paramref name="writer"/>, started over <paramref name="transport"/>.</summary>
    private Task<(HubConnection Connection, IHubProxy Chat)> StartTracedAsync(string transport, TextWriter writer) =>
        HubBeyondClassicScenarios.StartAsync(
            server.BaseUri.ToString(),
            transport,
            c =>
            {
                c.TraceLevel = TraceLevels.Messages;
                c.TraceWriter = writer;
            });

    /// <summary>Signals the first received message containing <c>marker</c> and, when asked to, holds its handling until released.</summary>
    private sealed class ResultHoldingWriter(string marker, bool hold = true) : TextWriter
    {
        public TaskCompletionSource ResultRead { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override Encoding Encoding => Encoding.UTF8;

        public override void WriteLine(string? value)
        {
            if (value != null && value.Contains("OnMessage(", StringComparison.Ordinal) && value.Contains(marker, StringComparison.Ordinal) && ResultRead.TrySetResult() && hold)
            {
                Release.Task.Wait(Tether.Tests.Utils.TaskExtensions.DefaultTimeoutSpan);
            }
        }
    }
}
