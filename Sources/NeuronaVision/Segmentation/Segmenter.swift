// A segmenter: a network that maps a picture to a foreground logit per pixel, and the
// inference that makes it work on pictures of any size — tiles at native resolution, or a
// resize to the working size and back — always returning a map of the input's exact size.
import Neurona
import NeuronaImage

/// A trained (or training) foreground/background segmenter.
public final class Segmenter {
  public let description: SegmenterDescription
  public let network: Layer
  /// Pictures processed per forward pass when tiling.
  public var tileBatch = 4
  /// Whether inference shares the cores (SharingChoice.swift).
  private let sharing = SharingChoice()

  public init(description: SegmenterDescription, network: Layer) {
    self.description = description
    self.network = network
  }

  /// A new, randomly initialised segmenter.
  public convenience init(description: SegmenterDescription, seed: UInt64) throws {
    var generator = SplitMix64(seed: seed)
    self.init(description: description, network: try description.makeNetwork(using: &generator))
  }

  /// Loads a segmenter file, rebuilding its network from the metadata.
  public static func load(_ path: String) throws -> Segmenter {
    try loadModelFile(path) { file in
      let description = try SegmenterDescription(metadata: file.metadata)
      try file.checkHolds(description.minimumParameterCount)
      let segmenter = try Segmenter(description: description, seed: 0)
      return (segmenter, segmenter.network)
    }
  }

  /// Saves weights and description atomically.
  public func save(to path: String, extra: [String: String] = [:]) throws {
    try ModelFile.save(network, metadata: description.metadata.merging(extra) { $1 }, to: path)
  }

  /// `image` as normalised `[C, H, W]` planes in the model's channels.
  func planes(_ image: Image) throws -> [Float] {
    var converted = image
    if converted.channels != description.channels {
      converted = try converted.converted(toChannels: description.channels)
    }
    return try converted.floatPlanes(mean: description.mean, std: description.std)
  }

  /// The foreground probability of every pixel of `image`, at its exact size: the mask
  /// output, or 1 − p(background) for a model of several classes.
  public func probabilities(_ image: Image) throws -> FloatMap {
    let maps = try classProbabilities(image)
    guard maps.count > 1 else { return maps[0] }
    return try FloatMap(
      width: image.width, height: image.height, values: maps[0].values.map { 1 - $0 })
  }

  /// One probability map per output channel at the image's exact size: the sigmoid of a
  /// 1-channel model, the per-pixel softmax of a K-channel one (class order as trained).
  public func classProbabilities(_ image: Image) throws -> [FloatMap] {
    switch description.layout {
    case .resized:
      let size = description.size
      let input = try planes(
        try ImageInput.prepare(image, channels: image.channels, height: size, width: size))
      let logits = sharing.infer(
        network, Tensor(shape: [1, description.channels, size, size], scalars: input))
      return try Segmenter.activated(logits).map {
        try FloatMap(width: size, height: size, values: $0).resized(
          width: image.width, height: image.height)
      }
    case .tiled:
      return try tiledProbabilities(try planes(image), width: image.width, height: image.height)
    }
  }

  /// Sigmoid of one channel, softmax over several, for one picture `[1, K, h, w]`: K planes.
  static func activated(_ logits: Tensor) -> [[Float]] {
    let k = logits.shape[1]
    let plane = logits.count / max(k * logits.shape[0], 1)
    let values = k == 1 ? logits.scalars.map(sigmoid) : pixelSoftmax(logits).scalars
    return (0..<k).map { Array(values[($0 * plane)..<(($0 + 1) * plane)]) }
  }

  /// Runs the network on overlapping tiles of normalised planes and keeps each tile's
  /// centre, so every output pixel was predicted with `margin` pixels of context.
  func tiledProbabilities(_ planes: [Float], width: Int, height: Int) throws -> [FloatMap] {
    let multiple = 1 << description.depth
    let margin = 32
    let roundUp = { (value: Int) in (value + multiple - 1) / multiple * multiple }
    // Small pictures: one tile covering the whole (edge-extended) picture.
    let single = width <= 512 && height <= 512
    let tileWidth = single ? roundUp(width + 2 * margin) : 256
    let tileHeight = single ? roundUp(height + 2 * margin) : 256
    let stepX = tileWidth - 2 * margin
    let stepY = tileHeight - 2 * margin
    let channels = description.channels
    var origins: [(x: Int, y: Int)] = []
    for y in stride(from: 0, to: height, by: stepY) {
      for x in stride(from: 0, to: width, by: stepX) { origins.append((x, y)) }
    }
    let classes = description.outputs
    var output = [Float](repeating: 0, count: classes * width * height)
    let tileArea = tileWidth * tileHeight
    for batchStart in stride(from: 0, to: origins.count, by: tileBatch) {
      let batch = origins[batchStart..<min(batchStart + tileBatch, origins.count)]
      var input = [Float](repeating: 0, count: batch.count * channels * tileArea)
      for (t, origin) in batch.enumerated() {
        // Tile pixel (i, j) shows picture pixel (origin − margin + j), clamped to the edge.
        for c in 0..<channels {
          for i in 0..<tileHeight {
            let sy = min(max(origin.y - margin + i, 0), height - 1)
            let source = (c * height + sy) * width
            let target = ((t * channels + c) * tileHeight + i) * tileWidth
            for j in 0..<tileWidth {
              let sx = min(max(origin.x - margin + j, 0), width - 1)
              input[target + j] = planes[source + sx]
            }
          }
        }
      }
      let logits = sharing.infer(
        network, Tensor(shape: [batch.count, channels, tileHeight, tileWidth], scalars: input))
      // [T, K, th, tw] logits → probabilities, copied tile centre by tile centre.
      let probabilities = classes == 1 ? logits.map(sigmoid) : pixelSoftmax(logits)
      for (t, origin) in batch.enumerated() {
        for c in 0..<classes {
          for y in origin.y..<min(origin.y + stepY, height) {
            let row =
              ((t * classes + c) * tileHeight + y - origin.y + margin) * tileWidth + margin
              - origin.x
            for x in origin.x..<min(origin.x + stepX, width) {
              output[(c * height + y) * width + x] = probabilities.scalars[row + x]
            }
          }
        }
      }
    }
    let area = width * height
    return try (0..<classes).map {
      try FloatMap(
        width: width, height: height, values: Array(output[($0 * area)..<(($0 + 1) * area)]))
    }
  }
}
