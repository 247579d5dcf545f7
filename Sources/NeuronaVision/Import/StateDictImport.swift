// Bringing in a classifier trained in PyTorch: its state_dict saved as safetensors
// (`safetensors.torch.save_file(model.state_dict(), path)`) already has Neurona's parameter
// names and layouts for the architectures Neurona builds, so importing is rebuilding the
// network from a description the user gives and loading the tensors by name. What the file
// lacks is the description (classes, input format), which the model file then carries.
import Neurona

extension Classifier {
  /// A classifier of `description` holding the weights of the state_dict file at `path`.
  /// BatchNorm's `num_batches_tracked` counters are ignored; any other name or shape the
  /// network lacks is an error naming it.
  public static func importing(stateDict path: String, description: ClassifierDescription)
    throws -> Classifier
  {
    let classifier = try Classifier(description: description, seed: 0)
    try loadStateDict(path, into: classifier.network)
    return classifier
  }
}

extension Segmenter {
  /// A segmenter of `description` holding the weights of the state_dict file at `path`
  /// (UNetSmall's PyTorch names: `enc1.conv1.weight`, `bn…running_var`); as for classifiers,
  /// every name and shape must match.
  public static func importing(stateDict path: String, description: SegmenterDescription)
    throws -> Segmenter
  {
    let segmenter = try Segmenter(description: description, seed: 0)
    try loadStateDict(path, into: segmenter.network)
    return segmenter
  }
}

/// The tensors of the state_dict file at `path` into `network`'s parameters of the same names
/// and shapes; BatchNorm's `num_batches_tracked` counters, which Neurona does not keep, are
/// passed over.
private func loadStateDict(_ path: String, into network: Layer) throws {
  try ModelFile.load(
    SafeTensors.read(contentsOf: path), into: network, ignoring: ["num_batches_tracked"])
}
