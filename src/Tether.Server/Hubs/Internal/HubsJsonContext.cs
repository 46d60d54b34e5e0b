using System.Text.Json.Serialization;

namespace Tether.Server.Hubs.Internal;

/// <summary>Source-generated serialization of the hub layer's own values.</summary>
[JsonSerializable(typeof(string))]
internal sealed partial class HubsJsonContext : JsonSerializerContext;
