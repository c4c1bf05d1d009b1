using Tomlyn.Model;
using Tomlyn.Serialization;

namespace Coffer.Scanning.Configuration;

/// <summary>Reads a config into Tomlyn's table model without reflection, so the natively compiled scanner can load one.</summary>
[TomlSerializable(typeof(TomlTable))]
internal sealed partial class ScanConfigTomlContext : TomlSerializerContext;
