namespace Tether.Client;

/// <summary>A state transition of a <see cref="Connection"/>, as raised by <see cref="Connection.StateChanged"/>.</summary>
public class StateChange
{
    /// <summary>Creates a transition.</summary>
    /// <param name="oldState">The state before.</param>
    /// <param name="newState">The state after.</param>
    public StateChange(ConnectionState oldState, ConnectionState newState)
    {
        OldState = oldState;
        NewState = newState;
    }

    /// <summary>The state before the transition.</summary>
    public ConnectionState OldState { get; }

    /// <summary>The state after the transition.</summary>
    public ConnectionState NewState { get; }

    /// <inheritdoc/>
    public override string ToString() => OldState + " -> " + NewState;
}
