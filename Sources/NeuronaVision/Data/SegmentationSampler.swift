// Training batches for a segmenter: random square crops of the training pictures with the
// same random geometry (flip, quarter turn, scale) applied to picture and mask, and colour
// jitter on the picture only. Masks are sampled nearest-neighbour so they stay 0/1 (or
// class indices 0, 1, 2 for a `boundary3` target).
// B = batch, C = channels, S = crop size.
import Neurona
import NeuronaImage

/// Serves augmented crops as mini-batches: `[B, C, S, S]` inputs, `[B, 1, S, S]` masks.
///
/// An index `i` draws a crop from picture `i % count`; which crop is random (the sampler's
/// own seeded generator, one draw per batch, mixed with each crop's row in the global batch),
/// so an "epoch" is simply a number of crops.
public final class SegmentationSampler: BatchSource, GeneratorOwner {
  private struct Example {
    var planes: [Float]
    var mask: [Float]
    var width: Int, height: Int
  }

  private let examples: [Example]
  private let channels: Int
  /// S.
  public let cropSize: Int
  /// Crops per epoch.
  public let count: Int
  /// Whether crops are flipped, turned, scaled and colour-jittered.
  public var augment: Bool
  private var generator: SplitMix64

  /// Crops of `cropSize` from `pairs`, in `description`'s channels and normalisation.
  public init(
    _ pairs: [MaskedImage], description: SegmenterDescription, cropSize: Int, cropsPerEpoch: Int,
    augment: Bool = true, seed: UInt64
  ) throws {
    channels = description.channels
    self.cropSize = cropSize
    count = cropsPerEpoch
    self.augment = augment
    generator = SplitMix64(seed: seed)
    examples = try pairs.map { pair in
      var pair = pair
      if pair.image.width < cropSize || pair.image.height < cropSize {
        // Too small to crop: enlarge picture (bilinear) and mask (nearest) to fit one crop.
        let scale = Double(cropSize) / Double(min(pair.image.width, pair.image.height))
        pair = try pair.resized(
          width: max(cropSize, Int((Double(pair.image.width) * scale).rounded(.up))),
          height: max(cropSize, Int((Double(pair.image.height) * scale).rounded(.up))))
      }
      var image = pair.image
      let mask = pair.mask
      if image.channels != description.channels {
        image = try image.converted(toChannels: description.channels)
      }
      return Example(
        planes: try image.floatPlanes(mean: description.mean, std: description.std),
        mask: mask.map(Float.init), width: image.width, height: image.height)
    }
  }

  /// The crop generator's state (checkpoints save it, so a resumed run draws the same crops).
  public var generatorStates: [String: UInt64] { ["": generator.state] }

  public func restoreGeneratorStates(_ states: [String: UInt64]) {
    if let state = states[""] { generator = SplitMix64(seed: state) }
  }

  /// The fraction of mask pixels that are foreground (non-zero), over all pictures.
  public var foregroundFraction: Double { fraction { $0 != 0 } }

  /// The fraction of mask pixels, over all pictures, whose value passes `test`.
  public func fraction(where test: (Float) -> Bool) -> Double {
    let total = examples.reduce(0) { $0 + $1.mask.count }
    return Double(examples.reduce(0) { $0 + $1.mask.filter(test).count }) / Double(max(total, 1))
  }

  public func batch(_ indices: [Int]) -> (input: Tensor, target: Tensor) {
    let s = cropSize
    var input = [Float](repeating: 0, count: indices.count * channels * s * s)
    var target = [Float](repeating: 0, count: indices.count * s * s)
    // One draw per batch, then one generator per crop from it and the crop's row in the global
    // batch: a crop is the same whichever process of a data-parallel run makes it.
    let draw = generator.next()
    for (b, index) in indices.enumerated() {
      var generator = SplitMix64(seed: mixedSeed(draw, UInt64(GlobalBatch.firstRow + b)))
      let example = examples[index % examples.count]
      // Scale: the crop covers scale·S source pixels (zoom in or out by up to 25 %).
      var scale: Float = augment ? 0.8 + 0.45 * generator.nextUnitFloat() : 1
      scale = min(scale, Float(min(example.width, example.height)) / Float(s))
      let span = Float(s) * scale
      let x0 = generator.nextUnitFloat() * (Float(example.width) - span)
      let y0 = generator.nextUnitFloat() * (Float(example.height) - span)
      let turns = augment ? Int(generator.next() % 4) : 0
      let flip = augment && generator.next() % 2 == 1
      let contrast: Float = augment ? 0.8 + 0.4 * generator.nextUnitFloat() : 1
      let brightness: Float = augment ? 0.2 * (generator.nextUnitFloat() - 0.5) : 0
      for i in 0..<s {
        for j in 0..<s {
          // Output (i, j) ← crop cell (u, v) after a flip and `turns` quarter turns.
          var (u, v) = (i, flip ? s - 1 - j : j)
          for _ in 0..<turns { (u, v) = (v, s - 1 - u) }
          let sy = y0 + (Float(u) + 0.5) * scale - 0.5
          let sx = x0 + (Float(v) + 0.5) * scale - 0.5
          let nearest =
            min(max(Int(sy.rounded()), 0), example.height - 1) * example.width
            + min(max(Int(sx.rounded()), 0), example.width - 1)
          target[(b * s + i) * s + j] = example.mask[nearest]
          for c in 0..<channels {
            let value = bilinear(
              example.planes, plane: c, x: sx, y: sy, width: example.width, height: example.height)
            input[((b * channels + c) * s + i) * s + j] = value * contrast + brightness
          }
        }
      }
    }
    return (
      Tensor(shape: [indices.count, channels, s, s], scalars: input),
      Tensor(shape: [indices.count, 1, s, s], scalars: target)
    )
  }

  private func bilinear(_ planes: [Float], plane: Int, x: Float, y: Float, width: Int, height: Int)
    -> Float
  {
    let xc = min(max(x, 0), Float(width - 1))
    let yc = min(max(y, 0), Float(height - 1))
    let (x0, y0) = (Int(xc), Int(yc))
    let (x1, y1) = (min(x0 + 1, width - 1), min(y0 + 1, height - 1))
    let (fx, fy) = (xc - Float(x0), yc - Float(y0))
    let base = plane * width * height
    let top = planes[base + y0 * width + x0] * (1 - fx) + planes[base + y0 * width + x1] * fx
    let bottom = planes[base + y1 * width + x0] * (1 - fx) + planes[base + y1 * width + x1] * fx
    return top * (1 - fy) + bottom * fy
  }
}
