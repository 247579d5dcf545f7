// The check that keeps a crafted model file from making a loader allocate a vast network:
// the metadata decides the architecture, but every parameter must also be in the file, so a
// description needing more weights than the file holds is refused before building anything.
import Neurona

extension SafeTensors {
  /// The number of scalars in all tensors of the file.
  var scalarCount: Int { tensors.values.reduce(0) { $0 + $1.count } }

  /// Throws unless the file holds at least `needed` weights (nil: too many to count).
  func checkHolds(_ needed: Int?) throws {
    guard let needed, needed <= scalarCount else {
      throw ModelFileError(
        "the metadata describes a network larger than the weights in the file (corrupt file?)")
    }
  }
}

/// The steps every task's loader shares: read and check the file, let `build` make the model
/// from the metadata (after `checkHolds`), load the weights into its network, and prefix any
/// error with the path.
func loadModelFile<Model>(
  _ path: String, build: (SafeTensors) throws -> (model: Model, network: Layer)
) throws -> Model {
  let file = try ModelFile.read(path)
  do {
    let (model, network) = try build(file)
    try ModelFile.load(file, into: network, ignoring: ["num_batches_tracked"])
    return model
  } catch let error as ModelFileError {
    throw ModelFileError("\(path): \(error.description)")
  }
}
