// Learned representations (the course's "representation learning"): what a classifier's
// last Dense layer sees — the features the network learned to compute — as a vector per
// picture, for clustering or searching one's own pictures. For FashionNet that is the 128
// ReLU outputs of fc1 (dropout is the identity at inference); for the MLP the 128 of fc2;
// for the row-LSTM the last hidden state.
import Neurona

extension Classifier {
  /// The input of the last Dense layer for a normalised batch `[N, C, H, W]`: `[N, F]`.
  /// - Throws: `VisionError` when the network has no last Dense layer to look under.
  public func features(_ batch: Tensor) throws -> Tensor {
    if let sequential = network as? Sequential,
      let last = sequential.layers.lastIndex(where: { $0 is Dense })
    {
      // As a Sequential of its own, so that the convolutions still fuse.
      let output = Sequential(Array(sequential.layers[..<last])).forward(batch, mode: .inference)
      return output.reshaped([batch.shape[0], output.count / max(batch.shape[0], 1)])
    }
    if let recurrent = network as? RowLSTMClassifier {
      // [N, 1, R, C] → [N, R, C]: the rows are the time steps; the last hidden state [N, H].
      let rows = batch.reshaped([batch.shape[0], batch.shape[2], batch.shape[3]])
      return recurrent.lstm.forward(rows, mode: .inference)
    }
    throw VisionError("this model has no last Dense layer to take features from")
  }

  /// The length of the feature vector.
  public var featureCount: Int {
    guard let sequential = network as? Sequential,
      let last = sequential.layers.last(where: { $0 is Dense }) as? Dense
    else { return (network as? RowLSTMClassifier)?.fc.inputSize ?? 0 }
    return last.inputSize
  }
}
