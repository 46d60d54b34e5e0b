namespace Tether.Tests.Utils.Chaos;

/// <summary>How many faults of each kind a chaos run applied.</summary>
public sealed record FaultCounts(int Resets, int Drains, int HalfCloses, int Stalls)
{
    /// <summary>Connection faults: resets, drains and half-closes (stalls not included).</summary>
    public int Cuts => Resets + Drains + HalfCloses;

    public override string ToString() => $"{Cuts} cuts ({Resets} reset, {Drains} drain, {HalfCloses} half-close), {Stalls} stalls";
}

/// <summary>
/// Breaks the links of a <see cref="FaultProxy"/> at random points, from a seeded <see cref="Random"/>: one random live
/// connection at a time is reset, drained or half-closed, and now and then the whole proxy stalls. A half-closed
/// connection is reset a little later, as a peer's timeout would end it, so no request waits on a dead direction forever.
/// </summary>
public sealed class ChaosFaults(FaultProxy proxy, ChaosOptions options)
{
    private readonly Random _random = new(options.Seed);
    private readonly List<Task> _lateResets = [];
    private int _resets;
    private int _drains;
    private int _halfCloses;
    private int _stalls;

    /// <summary>Applies <see cref="ChaosOptions.Cuts"/> connection faults, then lifts every fault still in force.</summary>
    public async Task<FaultCounts> RunAsync()
    {
        try
        {
            while (_resets + _drains + _halfCloses < options.Cuts)
            {
                await Task.Delay(Between(options.MinFaultInterval, options.MaxFaultInterval));
                int roll = _random.Next(100);
                if (roll < options.StallPercent)
                {
                    await StallAsync();
                }
                else
                {
                    Cut(roll);
                }
            }
        }
        finally
        {
            proxy.Resume();
            await Task.WhenAll(_lateResets);
        }

        return new FaultCounts(_resets, _drains, _halfCloses, _stalls);
    }

    private async Task StallAsync()
    {
        proxy.Stall();
        _stalls++;
        await Task.Delay(Between(TimeSpan.FromMilliseconds(300), options.MaxStall));
        proxy.Resume();
    }

    private void Cut(int roll)
    {
        var pairs = proxy.Pairs;
        if (pairs.Count == 0)
        {
            return;
        }

        var pair = pairs[_random.Next(pairs.Count)];
        var fault = roll switch
        {
            < 40 => ProxyFault.Reset,
            < 70 => ProxyFault.Drain,
            < 85 => ProxyFault.HalfCloseToServer,
            _ => ProxyFault.HalfCloseToClient,
        };
        pair.Break(fault);
        switch (fault)
        {
            case ProxyFault.Reset:
                _resets++;
                break;
            case ProxyFault.Drain:
                _drains++;
                break;
            default:
                _halfCloses++;
                _lateResets.Add(ResetLater(pair, Between(TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(1500))));
                break;
        }
    }

    private static async Task ResetLater(FaultProxy.Pair pair, TimeSpan delay)
    {
        await Task.WhenAny(pair.Completion, Task.Delay(delay));
        pair.Abort();
    }

    private TimeSpan Between(TimeSpan min, TimeSpan max) =>
        TimeSpan.FromMilliseconds(_random.Next((int)min.TotalMilliseconds, (int)max.TotalMilliseconds + 1));
}
