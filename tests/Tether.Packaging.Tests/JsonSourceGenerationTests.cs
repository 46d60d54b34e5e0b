using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Tether.Client;
using Tether.Server;

namespace Tether.Packaging.Tests;

/// <summary>
/// What trimmed and native AOT applications rely on: with a source-generated context as the options' resolver, server
/// and client serialize through it, and do not fall back to reflection for a type it lacks.
/// </summary>
public sealed partial class JsonSourceGenerationTests
{
    [Fact]
    public async Task Server_and_client_serialize_through_the_source_generated_context_set_on_their_options()
    {
        await using var server = await TestServer.StartAsync(o => o.JsonSerializerOptions = new() { TypeInfoResolver = QuoteJsonContext.Default });
        await using var connection = new Connection(server.Url("/echo"))
        {
            JsonSerializerOptions = new JsonSerializerOptions { TypeInfoResolver = QuoteJsonContext.Default },
        };
        var received = new TaskCompletionSource<Quote>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = connection.AsObservable<Quote>().Subscribe(new QuoteObserver(received));
        await connection.StartAsync().DefaultTimeout();

        var echo = server.Services.GetRequiredService<IPersistentConnectionContext<EchoConnection>>().Connection;
        await echo.Send(connection.ConnectionId!, new Quote("CONTOSO", 41.25m)).DefaultTimeout();
        Assert.Equal(new Quote("CONTOSO", 41.25m), await received.Task.DefaultTimeout());
        Assert.Equal("""{"Symbol":"CONTOSO","Price":41.25}""", connection.JsonSerializeObject(new Quote("CONTOSO", 41.25m)));

        // A type the context does not know fails on both sides instead of being serialized by reflection.
        await Assert.ThrowsAsync<NotSupportedException>(() => echo.Send(connection.ConnectionId!, new Unknown(1)));
        Assert.Throws<NotSupportedException>(() => connection.JsonSerializeObject(new Unknown(1)));
    }

    /// <summary>A value the context knows.</summary>
    public sealed record Quote(string Symbol, decimal Price);

    /// <summary>A value the context does not know.</summary>
    public sealed record Unknown(int Value);

    [JsonSerializable(typeof(Quote))]
    private sealed partial class QuoteJsonContext : JsonSerializerContext;

    private sealed class QuoteObserver(TaskCompletionSource<Quote> received) : IObserver<Quote>
    {
        public void OnNext(Quote value) => received.TrySetResult(value);

        public void OnError(Exception error) => received.TrySetException(error);

        public void OnCompleted() => received.TrySetCanceled();
    }
}
