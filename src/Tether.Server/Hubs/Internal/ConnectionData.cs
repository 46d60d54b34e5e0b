using System.Text.Json;
using Tether.Server.Internal;

namespace Tether.Server.Hubs.Internal;

/// <summary>
/// Reads <c>connectionData</c>, the hubs a connection uses (<c>[{"name":"chat"}]</c>), on every request; unknown,
/// duplicate or malformed entries answer 400 with the reason.
/// </summary>
internal static class ConnectionData
{
    internal const string Duplicate = "Duplicate Hub names found.";
    internal const string Malformed = "Protocol error: connectionData must be a JSON array of objects with a name.";

    public static IReadOnlyList<HubDescriptor> Read(IRequest request, HubCatalog catalog)
    {
        string? data = request.QueryString["connectionData"];
        if (string.IsNullOrEmpty(data))
        {
            return [];
        }

        List<HubDescriptor> hubs = [];
        foreach (string name in Names(data))
        {
            var hub = catalog.Find(name) ?? throw new RequestRejectedException(HubCouldNotBeResolved(name));
            if (hubs.Contains(hub))
            {
                throw new RequestRejectedException(Duplicate);
            }

            hubs.Add(hub);
        }

        return hubs;
    }

    public static string HubCouldNotBeResolved(string name) => $"'{name}' Hub could not be resolved.";

    private static List<string> Names(string data)
    {
        try
        {
            using var document = JsonDocument.Parse(data);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new RequestRejectedException(Malformed);
            }

            List<string> names = [];
            foreach (var entry in document.RootElement.EnumerateArray())
            {
                names.Add(NameOf(entry) ?? throw new RequestRejectedException(Malformed));
            }

            return names;
        }
        catch (JsonException)
        {
            throw new RequestRejectedException(Malformed);
        }
    }

    private static string? NameOf(JsonElement entry)
    {
        if (entry.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (var property in entry.EnumerateObject())
        {
            if (string.Equals(property.Name, "name", StringComparison.OrdinalIgnoreCase))
            {
                return property.Value.ValueKind == JsonValueKind.String && property.Value.GetString() is { Length: > 0 } name ? name : null;
            }
        }

        return null;
    }
}
