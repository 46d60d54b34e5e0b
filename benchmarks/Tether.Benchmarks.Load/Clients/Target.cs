namespace Tether.Benchmarks.Load.Clients;

/// <summary>A client and server pair under test, on one transport.</summary>
/// <param name="Name">tether, classic, aspnetcore or raw.</param>
/// <param name="Transport">webSockets, serverSentEvents or longPolling.</param>
internal sealed record Target(string Name, string Transport)
{
    public const string Tether = "tether";
    public const string Classic = "classic";
    public const string AspNetCore = "aspnetcore";
    public const string Raw = "raw";
    public const string WebSockets = "webSockets";
    public const string ServerSentEvents = "serverSentEvents";
    public const string LongPolling = "longPolling";

    /// <summary>The server-side target a broadcast goes to (the classic client talks to Tether.Server).</summary>
    public string ServerTarget => Name == Classic ? Tether : Name;

    /// <summary>Every target on every transport it has.</summary>
    public static IReadOnlyList<Target> Every { get; } =
    [
        new(Raw, WebSockets),
        new(Tether, WebSockets), new(Tether, ServerSentEvents), new(Tether, LongPolling),
        new(Classic, WebSockets), new(Classic, ServerSentEvents), new(Classic, LongPolling),
        new(AspNetCore, WebSockets), new(AspNetCore, ServerSentEvents), new(AspNetCore, LongPolling),
    ];

    /// <summary>The targets this run measures: <see cref="Every"/>, or those the command line kept (<see cref="Keep"/>).</summary>
    public static IReadOnlyList<Target> All { get; private set; } = Every;

    /// <summary>Restricts <see cref="All"/> to the given target names and transports (an empty set keeps every one).</summary>
    public static void Keep(IReadOnlySet<string> names, IReadOnlySet<string> transports) =>
        All = [.. Every.Where(t => (names.Count == 0 || names.Contains(t.Name)) && (transports.Count == 0 || transports.Contains(t.Transport)))];

    /// <summary>A new, unconnected client of this target against the server at <paramref name="baseUri"/>.</summary>
    public IBenchClient Create(Uri baseUri) => Name switch
    {
        Tether => new TetherBenchClient(baseUri, Transport),
        Classic => new ClassicBenchClient(baseUri, Transport),
        AspNetCore => new AspNetCoreBenchClient(baseUri, Transport),
        Raw => new RawWebSocketBenchClient(baseUri),
        _ => throw new ArgumentException($"Unknown target '{Name}'."),
    };

    public override string ToString() => $"{Name}/{Transport}";
}
