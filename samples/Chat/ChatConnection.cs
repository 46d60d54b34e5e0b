using Tether.Server;

namespace Chat;

/// <summary>Everyone's messages go to everyone: a line of text in, <c>{ From, Text }</c> out.</summary>
public sealed class ChatConnection : PersistentConnection
{
    /// <inheritdoc />
    protected override Task OnConnected(IRequest request, string connectionId) =>
        Connection.Broadcast(new ChatLine("server", $"{Name(connectionId)} joined"));

    /// <inheritdoc />
    protected override Task OnReceived(IRequest request, string connectionId, string? data) =>
        Connection.Broadcast(new ChatLine(Name(connectionId), data ?? string.Empty));

    /// <inheritdoc />
    protected override Task OnDisconnected(IRequest request, string connectionId, bool stopCalled) =>
        Connection.Broadcast(new ChatLine("server", $"{Name(connectionId)} left"));

    private static string Name(string connectionId) => "guest-" + connectionId[..4];
}

/// <summary>One line of the chat.</summary>
/// <param name="From">Who wrote it.</param>
/// <param name="Text">What they wrote.</param>
public sealed record ChatLine(string From, string Text);
