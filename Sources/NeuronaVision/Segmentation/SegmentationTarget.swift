// What a segmenter is trained to predict, and the per-pixel targets made from the training
// annotation: a plain foreground mask (one sigmoid output), or three classes made from
// instance labels — background, object interior, object boundary — so that touching objects
// come apart where the network draws a boundary between them (as the 2018 Data Science Bowl
// winners did). Left out: distance-map targets (the boundary classes need no tuning of a
// distance scale and separate touching nuclei as well).
import NeuronaImage

/// The training target of a segmenter, stored in its model file as `target`.
public enum SegmentationTarget: String, CaseIterable, Sendable {
  /// One output channel: foreground logit, trained with BCE + Dice on a binary mask.
  case mask
  /// Three output channels (softmax): 0 background, 1 interior, 2 boundary, made from
  /// instance labels by `SegmentationTarget.boundaryClasses`.
  case boundary3

  /// The output channels a network for this target has.
  public var outputs: Int {
    switch self {
    case .mask: return 1
    case .boundary3: return 3
    }
  }

  /// The class indices of `boundary3`.
  public static let background: UInt8 = 0, interior: UInt8 = 1, boundary: UInt8 = 2

  /// Per-pixel classes from an instance label map (0 background, one id per object).
  ///
  /// An object pixel is *boundary* when any pixel within `thickness` steps (8-neighbourhood,
  /// so a square of side 2·thickness + 1) has another id — background or another object;
  /// else *interior*. Two touching objects therefore get a boundary band 2·thickness pixels
  /// wide between their interiors. The picture's edge is no boundary: an object cut by it
  /// goes on beyond, as far as the network can tell.
  /// - Returns: `width · height` classes, row-major.
  public static func boundaryClasses(
    labels: [UInt16], width: Int, height: Int, thickness: Int = 1
  ) -> [UInt8] {
    precondition(labels.count == width * height && thickness >= 0)
    var classes = [UInt8](repeating: background, count: labels.count)
    for y in 0..<height {
      for x in 0..<width {
        let id = labels[y * width + x]
        guard id != 0 else { continue }
        var edge = false
        search: for dy in -thickness...thickness {
          for dx in -thickness...thickness {
            let (u, v) = (x + dx, y + dy)
            guard u >= 0, v >= 0, u < width, v < height else { continue }
            if labels[v * width + u] != id {
              edge = true
              break search
            }
          }
        }
        classes[y * width + x] = edge ? boundary : interior
      }
    }
    return classes
  }

  /// Instance labels from a label picture: a 16-bit map as is; a map with a single non-zero
  /// value (a binary mask given where labels were expected) split into its 4-connected
  /// components, so each blob at least is one object.
  public static func instanceLabels(_ picture: Gray16Image) -> [UInt16] {
    let values = Set(picture.values).subtracting([0])
    guard values.count == 1 else { return picture.values }
    return ConnectedComponents.label(
      picture.values.map { $0 != 0 }, width: picture.width, height: picture.height
    ).labels.map { UInt16(clamping: $0) }
  }
}
