namespace Tether.Benchmarks.Attacks.Infrastructure;

/// <summary>One line of the table: what an attack sent, what it got, what it cost the server.</summary>
/// <param name="Attack">Its short name.</param>
/// <param name="SentBytes">Request targets and bodies sent (raw requests: every byte written).</param>
/// <param name="ResponseBytes">Response body bytes received (raw requests: every byte read).</param>
/// <param name="HeapGrowthBytes">Managed heap growth after a forced full GC, at the point the detail names.</param>
/// <param name="WorkingSetGrowthBytes">Process working set growth at the same point.</param>
/// <param name="BusBufferedBytes">Bytes the bus's topics held at that point (in-process bus only; null for Redis).</param>
/// <param name="Events">OnConnected/OnDisconnected counts per endpoint at the end of the attack.</param>
/// <param name="Statuses">HTTP status codes and their counts.</param>
/// <param name="Seconds">Wall time of the attack.</param>
/// <param name="ErrorsLogged">Log entries of level Error or above during the attack.</param>
/// <param name="Detail">The figures particular to the attack.</param>
internal sealed record AttackResult(
    string Attack,
    long SentBytes,
    long ResponseBytes,
    long HeapGrowthBytes,
    long WorkingSetGrowthBytes,
    long? BusBufferedBytes,
    string Events,
    string Statuses,
    double Seconds,
    int ErrorsLogged,
    string Detail);
