namespace Tether.Server.Hubs.Internal;

/// <summary>Every hub the application serves, by the name clients use (any letter case).</summary>
internal sealed class HubCatalog
{
    private readonly Dictionary<string, HubDescriptor> _hubs = new(StringComparer.OrdinalIgnoreCase);

    public HubCatalog(IEnumerable<Type> hubTypes)
    {
        foreach (var type in hubTypes.Distinct())
        {
            var hub = new HubDescriptor(type);
            if (_hubs.TryGetValue(hub.Name, out var existing))
            {
                throw new InvalidOperationException($"Two Hubs must not share the same name. '{existing.HubType.FullName}' and '{type.FullName}' both share the name '{hub.Name}'.");
            }

            _hubs.Add(hub.Name, hub);
        }
    }

    public IEnumerable<HubDescriptor> Hubs => _hubs.Values;

    public HubDescriptor? Find(string? name) => name is not null && _hubs.TryGetValue(name, out var hub) ? hub : null;

    public HubDescriptor? Find(Type hubType) => _hubs.Values.FirstOrDefault(h => h.HubType == hubType);
}
