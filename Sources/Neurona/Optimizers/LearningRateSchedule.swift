// How the learning rate changes over a run. Constant is what the course's optimisers do; the
// cosine schedule starts at the given rate and glides to near zero by the last epoch, so the
// last epochs settle into a minimum instead of bouncing around it (Loshchilov and Hutter's
// SGDR without restarts) — often a point or two of accuracy for no extra epochs.
import Foundation

public enum LearningRateSchedule: String, CaseIterable, Sendable {
  case constant, cosine

  /// The learning rate of `epoch` (1-based) of `epochs`, for a base rate `base`.
  public func rate(base: Float, epoch: Int, of epochs: Int) -> Float {
    switch self {
    case .constant: return base
    case .cosine:
      // Epoch 1 at the base rate, epoch E at base·(1 + cos(π(E−1)/E))/2 > 0.
      let progress = Double(epoch - 1) / Double(max(epochs, 1))
      return base * Float((1 + cos(Double.pi * progress)) / 2)
    }
  }
}
