// Written against the classic Microsoft.AspNet.SignalR.Client API, as its samples are; only the namespace prefix
// differs (Tether.Client). ClassicApiTests compiles this very file a second time with the namespace put back, against
// the official client, and runs both builds side by side.
#nullable disable
using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Threading.Tasks;
using Tether.Client;
using Tether.Client.Http;
using Tether.Client.Transports;

namespace ClassicSample;

public static class EchoSample
{
    public static async Task<List<string>> RunAsync(string url, string transportName, TextWriter log, TextWriter trace)
    {
        var received = new List<string>();
        var gotAll = new TaskCompletionSource<bool>();
        var connection = new Connection(url, new Dictionary<string, string> { { "sample", "1" } });
        connection.Headers.Add("X-Sample", "classic");
        connection.TraceLevel = TraceLevels.All;
        connection.TraceWriter = trace;
        connection.CookieContainer = new CookieContainer();
        connection.Credentials = CredentialCache.DefaultCredentials;
        connection.TransportConnectTimeout = TimeSpan.FromSeconds(1);
        connection.DeadlockErrorTimeout = TimeSpan.FromSeconds(10);
        connection.Items["started"] = DateTime.UtcNow;

        connection.StateChanged += change => log.WriteLine("state {0} -> {1}", change.OldState, change.NewState);
        connection.Error += error => log.WriteLine("error " + error.GetType().Name);
        connection.Reconnecting += () => log.WriteLine("reconnecting");
        connection.Reconnected += () => log.WriteLine("reconnected");
        connection.ConnectionSlow += () => log.WriteLine("slow");
        connection.Closed += () => log.WriteLine("closed");
        connection.Received += data =>
        {
            lock (received)
            {
                received.Add(data);
                log.WriteLine("received " + data);
                if (received.Count == 3)
                {
                    gotAll.TrySetResult(true);
                }
            }
        };

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

        await connection.Start(transport);
        log.WriteLine("connected with {0} ({1})", connection.Transport.Name, connection.State);
        string id = connection.ConnectionId;
        if (string.IsNullOrEmpty(id) || connection.ConnectionToken == null || connection.MessageId == null)
        {
            log.WriteLine("missing identity");
        }

        await connection.Send("hello");
        await connection.Send(new { Name = "x", Values = new[] { 1, 2 } });
        await connection.Send("");
        await gotAll.Task;

        connection.Stop();
        log.WriteLine("stopped ({0}, id cleared: {1})", connection.State, connection.ConnectionId == null);
        connection.Dispose();
        return received;
    }
}
