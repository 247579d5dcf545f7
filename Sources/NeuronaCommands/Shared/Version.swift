// The one place the tools' version is written: `classify --version` and `segment --version`
// print it, and `--help` shows it.

/// Neurona's version (semantic versioning; the git tag of a release is `vX.Y.Z`'s number).
enum NeuronaVersion {
  static let current = "1.1.0"
}
