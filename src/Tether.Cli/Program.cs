using System.CommandLine;
using Tether.Cli.Commands;
using Tether.Cli.Hosting;
using Tether.Cli.Output;

// The tether command. Each command lives in its own file under Commands/; this file only assembles and runs them.
var sink = ConsoleSink.ForConsole();
var root = new RootCommand("tether: classic ASP.NET SignalR 2.x persistent connections on modern .NET.")
{
    new ServeCommand(sink),
    new ConnectCommand(sink, () => Console.In),
    new DemoCommand(sink),
    new ProbeCommand(sink),
};

// Ctrl+C and SIGTERM cancel the running command; give the server its shutdown timeout, plus a margin, to stop cleanly.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = DemoServer.ShutdownTimeout + TimeSpan.FromSeconds(5) };
return await root.Parse(args).InvokeAsync(invocation).ConfigureAwait(false);
