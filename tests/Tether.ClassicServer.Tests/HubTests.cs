using Microsoft.AspNet.SignalR.Client;

namespace Tether.ClassicServer.Tests;

/// <summary>
/// The hub of the wire captures ("chat" at /signalr) with the official HubConnection: results, a client callback
/// through the dynamic <c>Clients.All</c> (Mono's Microsoft.CSharp), and a hub error with its data.
/// </summary>
public sealed class HubTests(ClassicServerFixture fixture) : IClassFixture<ClassicServerFixture>
{
    [Theory]
    [MemberData(nameof(Transports.All), MemberType = typeof(Transports))]
    public async Task InvokesCallsBackAndReportsErrors(string transport)
    {
        using var connection = new HubConnection(fixture.Server.BaseUri.ToString());
        IHubProxy chat = connection.CreateHubProxy("chat");
        var callback = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = chat.On<string, string>("addMessage", (name, message) => callback.TrySetResult($"{name}: {message}"));
        try
        {
            await connection.Start(Transports.Create(transport)).DefaultTimeout();
            Assert.Equal(transport, connection.Transport.Name);

            Assert.Equal("hello hub", await chat.Invoke<string>("Echo", "hello hub").DefaultTimeout());
            Assert.Equal(5, await chat.Invoke<int>("Add", 2, 3).DefaultTimeout());

            await chat.Invoke("Send", "peer", "broadcast-1").DefaultTimeout();
            Assert.Equal("peer: broadcast-1", await callback.Task.DefaultTimeout());

            var error = await Assert.ThrowsAsync<HubException>(() => chat.Invoke("Fail", "boom").DefaultTimeout());
            Assert.Equal("boom", error.Message);
            Assert.Equal(42, (int)((Newtonsoft.Json.Linq.JObject)error.ErrorData)["code"]!);
        }
        finally
        {
            await Task.Run(() => connection.Stop(TimeSpan.FromSeconds(5))).WaitAsync(TimeSpan.FromSeconds(15));
        }
    }
}
