// Saving a model's parameters with its description, and loading them back into a model of
// the same architecture. The architecture itself is rebuilt by the caller from the
// metadata (NeuronaVision knows the models); here names and shapes are matched exactly.

/// Reads and writes a `Layer`'s parameters as safetensors with Neurona's metadata.
public enum ModelFile {
  /// The metadata key and value that mark a Neurona model file.
  public static let formatKey = "format", formatName = "neurona"
  /// The version of the metadata layout; bumped when it changes incompatibly.
  public static let versionKey = "format_version", currentVersion = "1"
  /// The metadata key naming the architecture (e.g. "fashionnet", "unet").
  public static let architectureKey = "architecture"

  /// The model's parameters (buffers included) and `metadata` plus format and version.
  public static func contents(of model: Layer, metadata: [String: String]) -> SafeTensors {
    var tensors: [String: Tensor] = [:]
    for (name, parameter) in model.namedParameters { tensors[name] = parameter.value }
    var allMetadata = metadata
    allMetadata[formatKey] = formatName
    allMetadata[versionKey] = currentVersion
    return SafeTensors(tensors: tensors, metadata: allMetadata)
  }

  /// Writes `model` to `path` atomically.
  public static func save(_ model: Layer, metadata: [String: String], to path: String) throws {
    try contents(of: model, metadata: metadata).write(to: path)
  }

  /// Reads a model file and checks that it is one of ours, of a version we read.
  /// Removes the hidden temporary files a writer of `path` killed between naming its finished
  /// bytes and renaming them left behind (`.NAME.RANDOM.tmp` beside it; ModelFileIO.swift).
  /// For a process that owns `path`, such as a training run at its start.
  public static func removeStaleTemporaries(of path: String) {
    ModelFileIO.removeStaleTemporaries(of: path)
  }

  public static func read(_ path: String) throws -> SafeTensors {
    let file = try SafeTensors.read(contentsOf: path)
    guard file.metadata[formatKey] == formatName else {
      throw ModelFileError("\(path): not a Neurona model file (no format=neurona metadata)")
    }
    guard file.metadata[versionKey] == currentVersion else {
      throw ModelFileError(
        "\(path): model format version \(file.metadata[versionKey] ?? "?") is not supported "
          + "(this build reads version \(currentVersion))")
    }
    return file
  }

  /// Copies the tensors of `file` into `model`'s parameters of the same names.
  ///
  /// Every parameter must be present with its exact shape; names the model doesn't have
  /// are an error unless listed in `ignoring` (e.g. BatchNorm's `num_batches_tracked`).
  public static func load(_ file: SafeTensors, into model: Layer, ignoring: Set<String> = [])
    throws
  {
    let expected = model.namedParameters
    for (name, parameter) in expected {
      guard let tensor = file.tensors[name] else {
        throw ModelFileError("the model file lacks parameter \(name): is it another architecture?")
      }
      guard tensor.shape == parameter.value.shape else {
        throw ModelFileError(
          "parameter \(name) has shape \(tensor.shape) in the file, the model needs "
            + "\(parameter.value.shape): is it another architecture or size?")
      }
      parameter.value = tensor
    }
    let known = Set(expected.map(\.name))
    let unexpected = file.tensors.keys.filter {
      !known.contains($0) && !ignoring.contains(where: $0.hasSuffix)
    }
    if let first = unexpected.sorted().first {
      throw ModelFileError(
        "the model file has parameter \(first) that this architecture lacks: is it another architecture?"
      )
    }
  }
}
