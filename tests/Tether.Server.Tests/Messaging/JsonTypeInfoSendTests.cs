using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Tether.Server.Tests.Conformance;

namespace Tether.Server.Tests.Messaging;

/// <summary>A quote, serialized by a source-generated context.</summary>
public sealed record Quote(string Symbol, decimal Price);

/// <summary>The source-generated serializer of <see cref="Quote"/>: camelCase, which the server's default options are not.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(Quote))]
internal sealed partial class QuoteJsonContext : JsonSerializerContext;

/// <summary>Sends with a <c>JsonTypeInfo</c> (source-generated serialization) reach clients as that serializer wrote them.</summary>
public sealed class JsonTypeInfoSendTests
{
    [Fact]
    public async Task SendBroadcastAndGroupSend_WithAJsonTypeInfo_UseIt()
    {
        await using var server = await TestServer.StartAsync();
        using var client = new ProtocolClient(server, "/echo");
        await client.ConnectLongPollingAsync();
        var context = server.Services.GetRequiredService<IPersistentConnectionContext<EchoConnection>>();

        await context.Connection.Send(client.ConnectionId, new Quote("ABC", 1.5m), QuoteJsonContext.Default.Quote).DefaultTimeout();
        await context.Connection.Broadcast(new Quote("DEF", 2m), QuoteJsonContext.Default.Quote).DefaultTimeout();
        await context.Groups.Add(client.ConnectionId, "quotes").DefaultTimeout();
        var received = await client.PollUntilAsync(m => m.Count >= 2);
        await context.Groups.Send("quotes", new Quote("GHI", 3m), QuoteJsonContext.Default.Quote).DefaultTimeout();
        received.AddRange(await client.PollUntilAsync(m => m.Count >= 1));

        var raw = received.SelectMany(r => r.Envelope!.RawM).ToArray();
        Assert.Equal(["{\"symbol\":\"ABC\",\"price\":1.5}", "{\"symbol\":\"DEF\",\"price\":2}", "{\"symbol\":\"GHI\",\"price\":3}"], raw);
    }
}
