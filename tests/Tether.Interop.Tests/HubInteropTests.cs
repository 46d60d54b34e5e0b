using System.Collections.Concurrent;
using Microsoft.AspNet.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Tether.Interop.Tests;

/// <summary>The official .NET client 2.4.2's <c>HubConnection</c> against Tether's hubs, on every transport.</summary>
public sealed class HubInteropTests(ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(Transports.All), MemberType = typeof(Transports))]
    public async Task Results_client_calls_errors_progress_and_state(string transport)
    {
        await using var server = await HubInteropServer.StartAsync();
        using var connection = new HubConnection(server.Url("/signalr"));
        var chat = connection.CreateHubProxy("chat");
        var messages = new ConcurrentQueue<string>();
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        chat.On<string, string>("addMessage", (name, text) =>
        {
            messages.Enqueue(name + ": " + text);
            received.TrySetResult();
        });

        await connection.Start(Transports.Create(transport)).DefaultTimeout();
        output.WriteLine($"{transport}: started over {connection.Transport.Name}");
        Assert.Equal(Transports.ExpectedName(transport), connection.Transport.Name);

        Assert.Equal("hello hub", await chat.Invoke<string>("Echo", "hello hub").DefaultTimeout());
        Assert.Equal(5, await chat.Invoke<int>("Add", 2, 3).DefaultTimeout());
        await chat.Invoke("Send", "peer", "broadcast-1").DefaultTimeout();
        await received.Task.DefaultTimeout();
        Assert.Equal(["peer: broadcast-1"], messages);

        var error = await Assert.ThrowsAsync<HubException>(() => chat.Invoke("Fail", "boom")).DefaultTimeout();
        Assert.Equal("boom", error.Message);
        Assert.Equal(42, (int)((dynamic)error.ErrorData!).code);

        var progress = new ConcurrentQueue<int>();
        var gate = server.Services.GetRequiredService<ProgressGate>();
        Assert.Equal(3, await chat.Invoke<int, int>("CountTo", value =>
        {
            progress.Enqueue(value);
            if (value == 3)
            {
                gate.Opened.TrySetResult();
            }
        }, 3).DefaultTimeout());
        Assert.Equal([1, 2, 3], progress);

        chat["userName"] = "ann";
        Assert.Equal("hello ann", await chat.Invoke<string>("Greet").DefaultTimeout());
        Assert.True((bool)chat["greeted"]);

        connection.Stop();
    }

    [Theory]
    [MemberData(nameof(Transports.All), MemberType = typeof(Transports))]
    public async Task Groups_are_kept_across_a_reconnect_after_a_cut(string transport)
    {
        await using var server = await HubInteropServer.StartAsync();
        await using var proxy = FaultProxy.Start(server.BaseUri);
        using var member = new HubConnection(proxy.Url("/signalr"));
        using var sender = new HubConnection(server.Url("/signalr"));
        var memberChat = member.CreateHubProxy("chat");
        var senderChat = sender.CreateHubProxy("chat");
        var texts = new ConcurrentQueue<string>();
        var arrived = new SemaphoreSlim(0);
        memberChat.On<string, string>("addMessage", (group, text) =>
        {
            texts.Enqueue(group + ": " + text);
            arrived.Release();
        });
        var reconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reconnecting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        member.Reconnecting += () => reconnecting.TrySetResult();
        member.Reconnected += () => reconnected.TrySetResult();

        await member.Start(Transports.Create(transport)).DefaultTimeout();
        await sender.Start(Transports.Create(Transports.LongPolling)).DefaultTimeout();
        await memberChat.Invoke("Join", "room").DefaultTimeout();
        await senderChat.Invoke("SendToGroup", "room", "before").DefaultTimeout();
        await arrived.WaitAsync().DefaultTimeout();

        // Refuse new connections until the client reconnects: the long-polling client only reports Reconnecting
        // once a poll has failed.
        proxy.RefuseNew = true;
        Assert.True(proxy.CutAll() > 0, "The member had no connection through the proxy.");
        await reconnecting.Task.DefaultTimeout();
        proxy.RefuseNew = false;
        await reconnected.Task.DefaultTimeout();
        await senderChat.Invoke("SendToGroup", "room", "after").DefaultTimeout();
        await arrived.WaitAsync().DefaultTimeout();

        Assert.Equal(["room: before", "room: after"], texts);
        member.Stop();
        sender.Stop();
    }
}
