// The loss a segmenter trains with, per target: binary cross-entropy plus soft Dice for masks
// (cross-entropy alone under-weights small objects; Dice alone is unstable early), and for
// boundary3 their per-pixel softmax forms with the thin boundary class weighted up.
import Neurona

extension SegmentationTarget {
  /// The training loss for this target.
  /// - Parameters:
  ///   - crossEntropyWeight: the weight of the cross-entropy term.
  ///   - diceWeight: the weight of the soft Dice term.
  ///   - boundaryWeight: boundary3's cross-entropy weight of the boundary class.
  /// - Returns: the weighted sum of both terms.
  public func trainingLoss(
    crossEntropyWeight: Float = 1, diceWeight: Float = 1, boundaryWeight: Float = 2
  ) -> CombinedLoss {
    switch self {
    case .mask:
      return CombinedLoss([
        (crossEntropyWeight, BinaryCrossEntropy()), (diceWeight, SoftDiceLoss()),
      ])
    case .boundary3:
      return CombinedLoss([
        (crossEntropyWeight, PixelCrossEntropy(classWeights: [1, 1, boundaryWeight])),
        (diceWeight, PixelSoftmaxDice()),
      ])
    }
  }
}
