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
    let file = try SafeTensors.read(contentsOf: path)
    let classifier = try Classifier(description: description, seed: 0)
    try ModelFile.load(file, into: classifier.network, ignoring: ["num_batches_tracked"])
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
    let file = try SafeTensors.read(contentsOf: path)
    let segmenter = try Segmenter(description: description, seed: 0)
    try ModelFile.load(file, into: segmenter.network, ignoring: ["num_batches_tracked"])
    return segmenter
  }
}
