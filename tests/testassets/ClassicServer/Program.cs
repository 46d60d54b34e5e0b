using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using Microsoft.AspNet.SignalR;
using Microsoft.AspNet.SignalR.Configuration;
using Microsoft.AspNet.SignalR.Hosting;
using Microsoft.AspNet.SignalR.Infrastructure;
using Microsoft.AspNet.SignalR.Owin.Middleware;
using Microsoft.Owin;

namespace Tether.ClassicServer;

/// <summary>
/// The official, unmodified classic server (Microsoft.AspNet.SignalR.Core 2.4.1) on Mono's HttpListener, for tests:
/// PersistentConnections /echo, /broadcast, /groups, /events and the hub "chat" at /signalr.
/// Usage: mono ClassicServer.exe [--port N] [--keep-alive S] [--disconnect-timeout S] [--connection-timeout S]
///        [--exit-on-stdin-eof]
/// Prints "LISTENING http://127.0.0.1:PORT/" once ready; /events reports its events as "EVENT ..." lines.
/// </summary>
public static class Program
{
    private const string Usage =
        "usage: mono ClassicServer.exe [--port N] [--keep-alive S] [--disconnect-timeout S] [--connection-timeout S] [--exit-on-stdin-eof]\n" +
        "  --port N                 the port on 127.0.0.1 (0, the default, picks a free one)\n" +
        "  --keep-alive S           SignalR's KeepAlive in seconds (0 disables keep-alives; default: a third of the disconnect timeout)\n" +
        "  --disconnect-timeout S   SignalR's DisconnectTimeout in seconds (default 30, at least 6)\n" +
        "  --connection-timeout S   SignalR's ConnectionTimeout in seconds (default 110)\n" +
        "  --exit-on-stdin-eof      exit when standard input closes (so the server never outlives the process that started it)";

    public static int Main(string[] args)
    {
        Output.Initialize();
        Options options;
        try
        {
            options = Options.Parse(args);
        }
        catch (FormatException e)
        {
            Console.Error.WriteLine("ClassicServer: " + e.Message);
            Console.Error.WriteLine(Usage);
            return 2;
        }

        if (options.Help)
        {
            Console.Out.WriteLine(Usage);
            return 0;
        }

        // Mono's pool starts with one thread per core; SignalR and long requests need more without injection delays.
        ThreadPool.SetMinThreads(64, 64);

        var shutdown = new CancellationTokenSource();
        IDependencyResolver resolver;
        try
        {
            resolver = CreateResolver(options, shutdown.Token);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine("ClassicServer: " + e.Message);
            return 2;
        }

        // What MapSignalR would map: each path to SignalR's own middleware, on one shared resolver.
        var routes = new List<KeyValuePair<string, OwinMiddleware>>
        {
            Route("/echo", typeof(EchoConnection), resolver),
            Route("/broadcast", typeof(BroadcastConnection), resolver),
            Route("/groups", typeof(GroupsConnection), resolver),
            Route("/events", typeof(EventsConnection), resolver),
            new("/signalr", new HubDispatcherMiddleware(null, new HubConfiguration { Resolver = resolver })),
        };

        using var host = OwinHttpListenerHost.Start(options.Port, routes);
        Output.Line("LISTENING " + host.BaseUrl);

        if (options.ExitOnStdinEof)
        {
            // Reading standard input to its end: when the test process goes away, so does the server.
            var stdin = Console.OpenStandardInput();
            byte[] buffer = new byte[256];
            while (stdin.Read(buffer, 0, buffer.Length) > 0)
            {
            }

            shutdown.Cancel();
            return 0;
        }

        using var stopped = new ManualResetEventSlim();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stopped.Set();
        };
        stopped.Wait();
        shutdown.Cancel();
        return 0;
    }

    private static IDependencyResolver CreateResolver(Options options, CancellationToken shutdown)
    {
        var resolver = new DefaultDependencyResolver();
        var configuration = resolver.Resolve<IConfigurationManager>();

        // DisconnectTimeout first: setting it resets KeepAlive to a third of it, and it cannot be set after KeepAlive.
        if (options.DisconnectTimeout is double disconnect)
        {
            configuration.DisconnectTimeout = TimeSpan.FromSeconds(disconnect);
        }

        if (options.KeepAlive is double keepAlive)
        {
            configuration.KeepAlive = keepAlive == 0 ? null : TimeSpan.FromSeconds(keepAlive);
        }

        if (options.ConnectionTimeout is double connection)
        {
            configuration.ConnectionTimeout = TimeSpan.FromSeconds(connection);
        }

        // What UseSignalRMiddleware does before mapping, with a fast protector instead of Mono's slow default.
        var protectedData = new FastProtectedData();
        resolver.Register(typeof(IProtectedData), () => protectedData);
        resolver.InitializeHost("ClassicServer", shutdown);
        return resolver;
    }

    private static KeyValuePair<string, OwinMiddleware> Route(string path, Type connectionType, IDependencyResolver resolver) =>
        new(path, new PersistentConnectionMiddleware(null, connectionType, new ConnectionConfiguration { Resolver = resolver }));

    private sealed class Options
    {
        public int Port { get; private set; }

        public double? KeepAlive { get; private set; }

        public double? DisconnectTimeout { get; private set; }

        public double? ConnectionTimeout { get; private set; }

        public bool ExitOnStdinEof { get; private set; }

        public bool Help { get; private set; }

        public static Options Parse(string[] args)
        {
            var options = new Options();
            for (int i = 0; i < args.Length; i++)
            {
                string name = args[i];
                switch (name)
                {
                    case "--port":
                        options.Port = int.Parse(Value(args, ref i), NumberStyles.None, CultureInfo.InvariantCulture);
                        if (options.Port > 65535)
                        {
                            throw new FormatException("--port must be 0 to 65535.");
                        }

                        break;
                    case "--keep-alive":
                        options.KeepAlive = Seconds(args, ref i);
                        break;
                    case "--disconnect-timeout":
                        options.DisconnectTimeout = Seconds(args, ref i);
                        break;
                    case "--connection-timeout":
                        options.ConnectionTimeout = Seconds(args, ref i);
                        break;
                    case "--exit-on-stdin-eof":
                        options.ExitOnStdinEof = true;
                        break;
                    case "--help":
                    case "-h":
                        options.Help = true;
                        break;
                    default:
                        throw new FormatException("unknown option " + name);
                }
            }

            return options;
        }

        private static string Value(string[] args, ref int i)
        {
            if (i + 1 >= args.Length)
            {
                throw new FormatException(args[i] + " needs a value.");
            }

            return args[++i];
        }

        private static double Seconds(string[] args, ref int i)
        {
            string name = args[i];
            double value = double.Parse(Value(args, ref i), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
            return value >= 0 ? value : throw new FormatException(name + " must not be negative.");
        }
    }
}

/// <summary>Standard output, line by line and flushed at once, safe from any thread.</summary>
internal static class Output
{
    private static readonly object Lock = new();
    private static TextWriter _out = Console.Out;

    public static void Initialize()
    {
        var writer = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = true, NewLine = "\n" };
        _out = writer;
        Console.SetOut(TextWriter.Synchronized(writer));
    }

    public static void Line(string line)
    {
        lock (Lock)
        {
            _out.WriteLine(line);
        }
    }

    public static void Event(string text) => Line("EVENT " + text);
}

/// <summary>Picks a free port on the loopback address.</summary>
internal static class FreePort
{
    public static int Next()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        try
        {
            return ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        finally
        {
            probe.Stop();
        }
    }
}
