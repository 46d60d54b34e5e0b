namespace Tether.Server.Diagnostics;

/// <summary>A message bus whose buffered bytes count against <see cref="PersistentConnectionOptions.MaxBufferedBytes"/>.</summary>
internal interface IBufferedBytesSource
{
    /// <summary>The payload bytes the bus's topics keep now.</summary>
    long BufferedBytes { get; }

    /// <summary>Messages dropped so far to keep the total within the budget.</summary>
    long EvictedMessages { get; }
}
