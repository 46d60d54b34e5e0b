using System.Text.Json.Serialization;

namespace Tether.Server.Internal;

/// <summary>Source-generated JSON metadata for the few internal shapes Tether serializes itself.</summary>
[JsonSerializable(typeof(IReadOnlyCollection<string>))]
[JsonSerializable(typeof(List<string>))]
internal sealed partial class TetherJsonContext : JsonSerializerContext;
