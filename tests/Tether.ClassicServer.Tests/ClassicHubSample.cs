// Written against the classic Microsoft.AspNet.SignalR.Client hub API, as its samples are; only the namespace prefix
// differs (Tether.Client). ClassicHubApiTests compiles this very file a second time with the namespace put back,
// against the official client, and runs both builds side by side against the classic server's "chat" hub.
#nullable disable
using System;
using System.Collections.Generic;
using System.IO;
using System.Threading.Tasks;
using Tether.Client;
using Tether.Client.Http;
using Tether.Client.Hubs;
using Tether.Client.Transports;

namespace ClassicHubSample;

public static class ChatSample
{
    public static async Task<List<string>> RunAsync(string url, string transportName, TextWriter log)
    {
        var calls = new List<string>();
        var gotCall = new TaskCompletionSource<bool>();
        var hubConnection = new HubConnection(url, new Dictionary<string, string> { { "sample", "hub" } });
        hubConnection.Headers.Add("X-Sample", "classic");
        hubConnection.TraceLevel = TraceLevels.All;
        hubConnection.TraceWriter = TextWriter.Null;
        hubConnection.StateChanged += change => log.WriteLine("state {0} -> {1}", change.OldState, change.NewState);
        hubConnection.Error += error => log.WriteLine("error " + error.GetType().Name);
        hubConnection.Reconnecting += () => log.WriteLine("reconnecting");
        hubConnection.Closed += () => log.WriteLine("closed");
        hubConnection.Received += data => log.WriteLine("received " + data.Replace("\r\n", "\n"));

        IHubProxy chat = hubConnection.CreateHubProxy("chat");
        chat["name"] = "alice";
        IDisposable typed = chat.On<string, string>("addMessage", (name, message) =>
        {
            lock (calls)
            {
                calls.Add(name + ": " + message);
            }

            gotCall.TrySetResult(true);
        });
        chat.On("addMessage", data => log.WriteLine("first argument " + data));
        Subscription subscription = chat.Subscribe("addMessage");
        subscription.Received += args => log.WriteLine("raw call with " + args.Count + " arguments, the second " + args[1]);
        IDisposable observed = chat.Observe("addMessage").Subscribe(new LogObserver(log));

        IClientTransport transport;
        switch (transportName)
        {
            case "webSockets":
                transport = new WebSocketTransport();
                break;
            case "serverSentEvents":
                transport = new ServerSentEventsTransport();
                break;
            case "longPolling":
                transport = new LongPollingTransport();
                break;
            default:
                transport = new AutoTransport(new DefaultHttpClient());
                break;
        }

        await hubConnection.Start(transport);
        log.WriteLine("connected with {0} ({1})", hubConnection.Transport.Name, hubConnection.State);

        string echo = await chat.Invoke<string>("Echo", "hello hub");
        int sum = await chat.Invoke<int>("Add", 2, 3);
        log.WriteLine("echo {0}, sum {1}", echo, sum);

        await chat.Invoke("Send", "peer", "hi");
        await gotCall.Task;

        // CountTo holds its result until the gate is opened, from another connection, once every report is in.
        var progress = new List<int>();
        var sawEveryReport = new TaskCompletionSource<bool>();
        Task<int> counting = chat.Invoke<int, int>("CountTo", value =>
        {
            progress.Add(value);
            if (progress.Count == 3)
            {
                sawEveryReport.TrySetResult(true);
            }
        }, 3);
        await sawEveryReport.Task;
        await OpenGateAsync(url, hubConnection.ConnectionId);
        int counted = await counting;
        log.WriteLine("counted {0} with progress {1}", counted, string.Join(",", progress));

        string greeting = await chat.Invoke<string>("Greet");
        log.WriteLine("{0}, visits {1}, name {2}", greeting, chat.GetValue<int>("visits"), chat.GetValue<string>("name"));

        try
        {
            await chat.Invoke("Fail", "boom");
        }
        catch (HubException ex)
        {
            log.WriteLine("hub error {0}, with data: {1}", ex.Message, ex.ErrorData != null);
        }

        typed.Dispose();
        observed.Dispose();
        hubConnection.Stop();
        log.WriteLine("stopped ({0})", hubConnection.State);
        hubConnection.Dispose();
        return calls;
    }

    private static async Task OpenGateAsync(string url, string connectionId)
    {
        using (var opener = new HubConnection(url))
        {
            IHubProxy chat = opener.CreateHubProxy("chat");
            await opener.Start(new LongPollingTransport());
            await chat.Invoke("OpenGate", connectionId);
            opener.Stop();
        }
    }

    private sealed class LogObserver : IObserver<object>
    {
        private readonly TextWriter _log;

        public LogObserver(TextWriter log)
        {
            _log = log;
        }

        public void OnNext(object value) => _log.WriteLine("observed " + ((System.Collections.ICollection)value).Count + " arguments");

        public void OnError(Exception error) => _log.WriteLine("observed error");

        public void OnCompleted() => _log.WriteLine("observed end");
    }
}
