// Saving and restoring the private random generators that objects draw from as they run
// (Dropout's masks, a sampler's crops): a checkpoint stores their states so that a resumed
// run draws exactly the numbers an uninterrupted run would have, and ends bit-identical.

/// Something that owns seeded generators and advances them while it works.
///
/// Containers (Sequential) gather their children's states under the children's names, as
/// `namedParameters` gathers parameters, so one call on a model reaches every Dropout.
public protocol GeneratorOwner: AnyObject {
  /// The state of every generator inside, by a stable dotted name ("" for the owner's own).
  var generatorStates: [String: UInt64] { get }
  /// Sets the generators named in `states`; generators not named keep their state.
  func restoreGeneratorStates(_ states: [String: UInt64])
}

/// The generator states of `object` (none when it owns no generator).
public func generatorStates(of object: Any) -> [String: UInt64] {
  (object as? GeneratorOwner)?.generatorStates ?? [:]
}

/// Restores states saved by `generatorStates(of:)`; does nothing for other objects.
public func restoreGeneratorStates(_ states: [String: UInt64], of object: Any) {
  (object as? GeneratorOwner)?.restoreGeneratorStates(states)
}

/// `child` under `prefix`: "" → "drop", "gen" → "drop.gen" (how containers build names).
func joinedGeneratorName(_ prefix: String, _ child: String) -> String {
  child.isEmpty ? prefix : prefix + "." + child
}

/// The states in `states` that belong to the child named `prefix`, with the prefix removed.
func childGeneratorStates(_ states: [String: UInt64], prefix: String) -> [String: UInt64] {
  var child: [String: UInt64] = [:]
  for (name, state) in states {
    if name == prefix {
      child[""] = state
    } else if name.hasPrefix(prefix + ".") {
      child[String(name.dropFirst(prefix.count + 1))] = state
    }
  }
  return child
}
