using System.Text;
using System.Text.Json;
using Tether.Server.Messaging;

namespace Tether.Server.Tests.Hostile;

/// <summary>
/// Application code whose sends fail because the bus is unavailable: <c>unavailable</c> throws the bus's exception,
/// <c>wrapped</c> throws it inside another, and a <c>failAuth</c> query value makes even authorization (hence negotiate) fail.
/// </summary>
public sealed class UnavailableConnection : PersistentConnection
{
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(7.2);

    protected internal override Task<bool> AuthorizeRequest(IRequest request) =>
        request.QueryString.ContainsKey("failAuth") ? Task.FromException<bool>(Unavailable()) : Task.FromResult(true);

    protected internal override Task OnReceived(IRequest request, string connectionId, string? data) => data switch
    {
        "wrapped" => Task.FromException(new InvalidOperationException("Send failed.", new MessageBusUnavailableException("down"))),
        _ => Task.FromException(Unavailable()),
    };

    private static MessageBusUnavailableException Unavailable() => new("The test bus is down.") { RetryAfter = RetryAfter };
}

/// <summary>
/// Sends what it receives back as preserialized JSON: the data's UTF-8 bytes as an <see cref="ArraySegment{T}"/>
/// (answering <c>rejected</c> when Tether refuses them), or, after <c>element:</c>, as a <see cref="JsonElement"/>.
/// </summary>
public sealed class RawJsonConnection : PersistentConnection
{
    protected internal override async Task OnReceived(IRequest request, string connectionId, string? data)
    {
        data ??= string.Empty;
        if (data.StartsWith("element:", StringComparison.Ordinal))
        {
            using var document = JsonDocument.Parse(data["element:".Length..]);
            await Connection.Send(connectionId, document.RootElement.Clone());
            return;
        }

        // Offset and count matter: only the middle of the array is the JSON.
        byte[] padded = Encoding.UTF8.GetBytes("xx" + data + "yy");
        try
        {
            await Connection.Send(connectionId, new ArraySegment<byte>(padded, 2, padded.Length - 4));
        }
        catch (ArgumentException)
        {
            await Connection.Send(connectionId, "rejected");
        }
    }
}
