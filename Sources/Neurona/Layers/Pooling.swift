// Pooling: MaxPool2D, AvgPool2D (windows without padding, floor of the output size, as
// PyTorch's defaults) and GlobalAveragePool. No parameters.
// N = batch, C = channels, H×W = input size, k = window, s = stride, H'×W' = output size;
// every (n, c) pair is a "plane" pooled on its own.

/// The output extent of a k-window with stride s over `extent` (no padding, floor).
private func pooledExtent(_ extent: Int, _ k: Int, _ s: Int) -> Int { (extent - k) / s + 1 }

/// Max pooling: each output is the largest input of its window.
///
/// `[N, C, H, W] → [N, C, H', W']`, H' = (H − k) / s + 1. Backward sends each output
/// gradient to the input that won its window (the first one on a tie, as PyTorch).
public final class MaxPool2D: Layer {
  /// k, the window's height and width.
  public let kernelSize: Int
  /// s.
  public let stride: Int
  private var inputShape: [Int] = []
  /// For each output, the flat index within its plane of the input that won (training only).
  private var maxIndices: [Int32] = []

  /// A max pool with a k×k window and stride s (default s = k: windows side by side).
  public init(kernelSize: Int = 2, stride: Int? = nil) {
    precondition(kernelSize > 0 && (stride ?? 1) > 0)
    self.kernelSize = kernelSize
    self.stride = stride ?? kernelSize
  }

  /// Inference records no indices (only backward needs them); planes are shared between
  /// the workers when the input is big enough (MaxPoolPlane holds the loops).
  public func forward(_ input: Tensor, mode: Mode) -> Tensor {
    precondition(
      input.rank == 4 && input.shape[2] >= kernelSize && input.shape[3] >= kernelSize,
      "MaxPool2D(\(kernelSize)) needs [N, C, H, W] with H, W ≥ \(kernelSize), got \(input.shape)")
    let (h, w, k, s) = (input.shape[2], input.shape[3], kernelSize, stride)
    let (outH, outW) = (pooledExtent(h, k, s), pooledExtent(w, k, s))
    let planes = input.shape[0] * input.shape[1]
    let outputShape = [input.shape[0], input.shape[1], outH, outW]
    let training = mode == .training
    if training {
      inputShape = input.shape
      if maxIndices.count != planes * outH * outW {
        maxIndices = [Int32](repeating: 0, count: planes * outH * outW)
      }
    }
    guard planes > 0 else { return Tensor(zeros: outputShape) }
    return Tensor(uninitializedShape: outputShape) { y in
      input.withUnsafeBufferPointer { x in
        maxIndices.withUnsafeMutableBufferPointer { indices in
          let (source, target) = (x.baseAddress!, y.baseAddress!)
          let winners = training ? indices.baseAddress : nil
          ParallelPasses.forEachRange(planes, elementsPerItem: h * w) { range in
            for plane in range {
              MaxPoolPlane.pool(
                source + plane * h * w, height: h, width: w, kernel: k, stride: s,
                into: target + plane * outH * outW,
                indices: winners.map { $0 + plane * outH * outW })
            }
          }
        }
      }
    }
  }

  /// Each input gradient is the sum of the output gradients its input won (one at most
  /// when windows do not overlap), plane by plane, planes shared between the workers.
  public func backward(_ outputGradient: Tensor) -> Tensor {
    backward(outputGradient, rectifiedBy: nil)
  }

  /// Backward through a ReLU before the pool as well (TrainingFusion.swift): a winner's
  /// gradient is kept where the ReLU's output `rectified` there is positive. The same as
  /// the ReLU's backward after this one's (every input that is not a winner gets 0 either
  /// way), without its pass over the whole input.
  func backward(_ outputGradient: Tensor, rectifiedBy rectified: Tensor?) -> Tensor {
    precondition(rectified.map { $0.shape == inputShape } ?? true, "MaxPool2D backward: ReLU")
    precondition(
      inputShape.count == 4 && outputGradient.count == maxIndices.count
        && outputGradient.rank == 4 && outputGradient.shape[0] == inputShape[0]
        && outputGradient.shape[1] == inputShape[1],
      "MaxPool2D backward: gradient shape")
    let planes = inputShape[0] * inputShape[1]
    let planeSize = inputShape[2] * inputShape[3]
    let outputPlane = outputGradient.shape[2] * outputGradient.shape[3]
    guard planes > 0 else { return Tensor(zeros: inputShape) }
    let rectifiedScalars = rectified?.scalars ?? []
    return Tensor(uninitializedShape: inputShape) { dx in
      outputGradient.withUnsafeBufferPointer { dy in
        maxIndices.withUnsafeBufferPointer { indices in
          rectifiedScalars.withUnsafeBufferPointer { rectified in
            let (target, source) = (dx.baseAddress!, dy.baseAddress!)
            let winners = indices.baseAddress!
            let relu = rectifiedScalars.isEmpty ? nil : rectified.baseAddress
            ParallelPasses.forEachRange(planes, elementsPerItem: planeSize) { range in
              for plane in range {
                let (into, from) = (target + plane * planeSize, plane * outputPlane)
                into.initialize(repeating: 0, count: planeSize)
                guard let relu else {
                  for q in from..<(from + outputPlane) { into[Int(winners[q])] += source[q] }
                  continue
                }
                let output = relu + plane * planeSize
                for q in from..<(from + outputPlane) {
                  let winner = Int(winners[q])
                  into[winner] += output[winner] > 0 ? source[q] : 0
                }
              }
            }
          }
        }
      }
    }
  }
}

/// Average pooling: each output is the mean of its window.
///
/// `[N, C, H, W] → [N, C, H', W']`, H' = (H − k) / s + 1; every window has k² inputs.
public final class AvgPool2D: Layer {
  /// k.
  public let kernelSize: Int
  /// s.
  public let stride: Int
  private var inputShape: [Int] = []

  /// An average pool with a k×k window and stride s (default s = k).
  public init(kernelSize: Int = 2, stride: Int? = nil) {
    precondition(kernelSize > 0 && (stride ?? 1) > 0)
    self.kernelSize = kernelSize
    self.stride = stride ?? kernelSize
  }

  public func forward(_ input: Tensor, mode: Mode) -> Tensor {
    precondition(
      input.rank == 4 && input.shape[2] >= kernelSize && input.shape[3] >= kernelSize,
      "AvgPool2D(\(kernelSize)) needs [N, C, H, W] with H, W ≥ \(kernelSize), got \(input.shape)")
    inputShape = input.shape
    let (h, w, k, s) = (input.shape[2], input.shape[3], kernelSize, stride)
    let (outH, outW) = (pooledExtent(h, k, s), pooledExtent(w, k, s))
    var output = Tensor(zeros: [input.shape[0], input.shape[1], outH, outW])
    let scale = 1 / Float(k * k)
    input.withUnsafeBufferPointer { x in
      output.withUnsafeMutableBufferPointer { y in
        for plane in 0..<(input.shape[0] * input.shape[1]) {
          let source = x.baseAddress! + plane * h * w
          for i in 0..<outH {
            for j in 0..<outW {
              var total: Float = 0
              for u in 0..<k {
                for v in 0..<k { total += source[(i * s + u) * w + j * s + v] }
              }
              y[(plane * outH + i) * outW + j] = total * scale
            }
          }
        }
      }
    }
    return output
  }

  public func backward(_ outputGradient: Tensor) -> Tensor {
    var inputGradient = Tensor(zeros: inputShape)
    let (h, w, k, s) = (inputShape[2], inputShape[3], kernelSize, stride)
    let (outH, outW) = (pooledExtent(h, k, s), pooledExtent(w, k, s))
    precondition(
      outputGradient.shape == [inputShape[0], inputShape[1], outH, outW],
      "AvgPool2D backward: gradient shape")
    let scale = 1 / Float(k * k)
    outputGradient.withUnsafeBufferPointer { dy in
      inputGradient.withUnsafeMutableBufferPointer { dx in
        for plane in 0..<(inputShape[0] * inputShape[1]) {
          let target = dx.baseAddress! + plane * h * w
          for i in 0..<outH {
            for j in 0..<outW {
              let share = dy[(plane * outH + i) * outW + j] * scale
              for u in 0..<k {
                for v in 0..<k { target[(i * s + u) * w + j * s + v] += share }
              }
            }
          }
        }
      }
    }
    return inputGradient
  }
}

/// The mean of each channel over the whole image, ready for a Dense head.
///
/// `[N, C, H, W] → [N, C]` (as Keras's GlobalAveragePooling2D; PyTorch's
/// `AdaptiveAvgPool2d(1)` keeps `[N, C, 1, 1]`, which then needs a Flatten).
public final class GlobalAveragePool: Layer {
  private var inputShape: [Int] = []

  public init() {}

  public func forward(_ input: Tensor, mode: Mode) -> Tensor {
    precondition(input.rank == 4, "GlobalAveragePool needs [N, C, H, W], got \(input.shape)")
    inputShape = input.shape
    let area = input.shape[2] * input.shape[3]
    var output = Tensor(zeros: [input.shape[0], input.shape[1]])
    guard output.count > 0, area > 0 else { return output }
    input.withUnsafeBufferPointer { x in
      output.withUnsafeMutableBufferPointer { y in
        let (source, target) = (x.baseAddress!, y.baseAddress!)
        ParallelPasses.forEachRange(y.count, elementsPerItem: area) { planes in
          for plane in planes {
            target[plane] = Reduction.sum(source + plane * area, area) / Float(area)
          }
        }
      }
    }
    return output
  }

  public func backward(_ outputGradient: Tensor) -> Tensor {
    precondition(
      outputGradient.shape == Array(inputShape.prefix(2)), "GlobalAveragePool backward: shape")
    let area = inputShape[2] * inputShape[3]
    guard outputGradient.count > 0, area > 0 else { return Tensor(zeros: inputShape) }
    return Tensor(uninitializedShape: inputShape) { dx in
      outputGradient.withUnsafeBufferPointer { dy in
        let (source, target) = (dy.baseAddress!, dx.baseAddress!)
        ParallelPasses.forEachRange(dy.count, elementsPerItem: area) { planes in
          for plane in planes {
            let share = source[plane] / Float(area)
            (target + plane * area).initialize(repeating: share, count: area)
          }
        }
      }
    }
  }
}
