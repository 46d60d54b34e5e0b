using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Tether.Cli.Demo;
using Tether.Cli.Hosting;
using Tether.Cli.Output;
using Tether.Client;
using Tether.Client.Http;

namespace Tether.Cli.Commands;

/// <summary>
/// The hub part of <c>tether demo</c> over one transport (one instance per transport): a Tether.Client
/// <see cref="HubConnection"/> with a proxy for the <c>chat</c> hub at
/// <c>/signalr</c> starts, calls <c>Echo</c> and <c>Add</c> and checks their results, calls <c>Send</c> and checks the
/// <c>addMessage</c> call it gets back, joins a group and checks a <c>SendToGroup</c>, leaves it, checks the error of
/// <c>Fail</c>, and stops. Each invocation is printed as it is made, with its arguments, and so is its result or error and
/// every call the server makes to the client.
/// </summary>
/// <param name="server">The embedded server.</param>
/// <param name="sink">Where both sides print.</param>
/// <param name="step">The step being run, for the error line.</param>
internal sealed class DemoHubExchange(EmbeddedServer server, ConsoleSink sink, DemoStep step)
{
    /// <summary>The group the demo joins, sends to and leaves.</summary>
    public const string Group = "demo group";

    /// <summary>The client method the hub calls back.</summary>
    private const string AddMessage = "addMessage";

    /// <summary>JSON as the demo prints it: compact, with non-ASCII text as it is (control characters stay escaped).</summary>
    private static readonly JsonSerializerOptions DisplayJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly Channel<(string Method, JsonArray Args)> _calls = Channel.CreateUnbounded<(string, JsonArray)>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Runs the exchange.</summary>
    /// <param name="transportName">The transport, or <c>auto</c>.</param>
    /// <param name="cancellationToken">Ctrl+C.</param>
    /// <returns>A task that completes when every call was answered as expected.</returns>
    public async Task RunAsync(string transportName, CancellationToken cancellationToken)
    {
        using var http = new DefaultHttpClient();
        using var transport = ConnectCommand.CreateTransport(transportName, http);
        var hub = new HubConnection(server.Url(ChatHub.MappedPath), useDefaultUrl: false);
        await using var disposeHub = hub.ConfigureAwait(false);
        IHubProxy chat = hub.CreateHubProxy(ChatHub.Name);
        hub.StateChanged += change => sink.Event(change.NewState == ConnectionState.Connected
            ? $"hub client state {change.OldState} -> {change.NewState} ({ClientEventPrinter.TransportName(hub)})"
            : $"hub client state {change.OldState} -> {change.NewState}");
        hub.Error += error => sink.Event($"hub client error: {ErrorText.Describe(error)}");
        chat.Subscribe(AddMessage).Received += arguments =>
        {
            var args = JsonNode.Parse("[" + string.Join(',', arguments.Select(a => a.GetRawText())) + "]")!.AsArray();
            sink.Event($"hub client called by the server: {DisplayText.OneLine(AddMessage + Json(args))}");
            _calls.Writer.TryWrite((AddMessage, args));
        };

        try
        {
            step.Describe($"connecting to the {ChatHub.Name} hub over {transportName}");
            await step.RunAsync(ct => hub.StartAsync(transport, ct), cancellationToken).ConfigureAwait(false);
            string used = ClientEventPrinter.TransportName(hub);

            string text = $"hello hub over {used}";
            await ExpectResultAsync(chat, "Echo", [text], text, cancellationToken).ConfigureAwait(false);
            await ExpectResultAsync(chat, "Add", [19, 23], 42, cancellationToken).ConfigureAwait(false);

            string everyone = $"hello everyone over {used}";
            await ExpectResultAsync(chat, "Send", ["demo", everyone], null, cancellationToken).ConfigureAwait(false);
            await ExpectCallAsync(AddMessage, ["demo", everyone], cancellationToken).ConfigureAwait(false);

            string members = $"hello {Group} over {used}";
            await ExpectResultAsync(chat, "JoinGroup", [Group], null, cancellationToken).ConfigureAwait(false);
            await ExpectResultAsync(chat, "SendToGroup", [Group, "demo", members], null, cancellationToken).ConfigureAwait(false);
            await ExpectCallAsync(AddMessage, ["demo", members], cancellationToken).ConfigureAwait(false);
            await ExpectResultAsync(chat, "LeaveGroup", [Group], null, cancellationToken).ConfigureAwait(false);

            await ExpectHubErrorAsync(chat, "Fail", ["failing on purpose"], new JsonObject { ["code"] = 42 }, cancellationToken).ConfigureAwait(false);

            step.Describe($"stopping the hub connection over {transportName}");
            await step.RunAsync(ct => hub.StopAsync(ct), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await DemoEchoExchange.StopAtOnceAsync(hub).ConfigureAwait(false);
        }
    }

    /// <summary>Invokes a method and checks that it returned <paramref name="expected"/> (<see langword="null"/>: nothing).</summary>
    private async Task ExpectResultAsync(IHubProxy chat, string method, JsonArray args, JsonNode? expected, CancellationToken cancellationToken)
    {
        var reply = await InvokeAsync(chat, method, args, cancellationToken).ConfigureAwait(false);
        if (reply.Error is not null || !JsonNode.DeepEquals(reply.Result, expected))
        {
            throw new InvalidOperationException($"{method} {Describe(reply)} instead of {(expected is null ? "returning nothing" : "returning " + Json(expected))}");
        }
    }

    /// <summary>Invokes a method and checks that it failed with a hub error carrying <paramref name="expectedData"/>.</summary>
    private async Task ExpectHubErrorAsync(IHubProxy chat, string method, JsonArray args, JsonNode expectedData, CancellationToken cancellationToken)
    {
        var reply = await InvokeAsync(chat, method, args, cancellationToken).ConfigureAwait(false);
        if (reply.Error is null || !reply.IsHubException || !JsonNode.DeepEquals(reply.ErrorData, expectedData))
        {
            throw new InvalidOperationException($"{method} {Describe(reply)} instead of failing with a hub error with data {Json(expectedData)}");
        }
    }

    private async Task<HubReply> InvokeAsync(IHubProxy chat, string method, JsonArray args, CancellationToken cancellationToken)
    {
        step.Describe($"calling {ChatHub.Name}.{method}");
        sink.Event($"hub client invokes {ChatHub.Name}.{DisplayText.OneLine(method + Json(args))}");
        var reply = await step.RunAsync(ct => HubReply.InvokeAsync(chat, method, args, ct), cancellationToken).ConfigureAwait(false);
        sink.Event($"hub client {ChatHub.Name}.{method} {DisplayText.OneLine(Describe(reply))}");
        return reply;
    }

    private async Task ExpectCallAsync(string method, JsonArray args, CancellationToken cancellationToken)
    {
        string expected = method + Json(args);
        step.Describe($"waiting for the server to call {DisplayText.OneLine(expected)}");
        var (actualMethod, actualArgs) = await step.RunAsync(ct => _calls.Reader.ReadAsync(ct).AsTask(), cancellationToken).ConfigureAwait(false);
        if (actualMethod != method || !JsonNode.DeepEquals(actualArgs, args))
        {
            throw new InvalidOperationException($"the server called {DisplayText.OneLine(actualMethod + Json(actualArgs))} instead of {DisplayText.OneLine(expected)}");
        }
    }

    private static string Json(JsonNode? value) => value?.ToJsonString(DisplayJson) ?? "null";

    private static string Describe(HubReply reply)
    {
        if (reply.Error is not null)
        {
            string kind = reply.IsHubException ? "hub error" : "error";
            string data = reply.ErrorData is null ? string.Empty : ", data " + Json(reply.ErrorData);
            return $"failed with {kind} '{reply.Error}'{data}";
        }

        return reply.Result is null ? "returned nothing" : "returned " + Json(reply.Result);
    }
}
