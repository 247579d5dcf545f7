// EdgeRefinement: a coarse or low-resolution mask made to follow a photo's edges at full
// resolution — the guided filter with the photo as guide, its window sized to the mask's
// coarseness, fitted on a subsampled grid for large photos. Gives a soft alpha in 0…1;
// threshold it (0.5) for a binary mask.
// Leaves out: trimap-based matting (closed-form, KNN), which costs far more per pixel.
import NeuronaImage

/// Snapping masks to photo edges.
public enum EdgeRefinement {
  /// Grids above this many points are subsampled (the fast guided filter).
  static let fittingPixels = 1_000_000

  /// The filter for a photo of `width × height` and a mask `coarseness` photo pixels per mask
  /// pixel: the window covers the coarse edge's uncertainty.
  public static func filter(width: Int, height: Int, coarseness: Double) -> GuidedFilter {
    let radius = Int(min(64, max(4, (2 * coarseness).rounded())))
    let pixels = Double(width) * Double(height)
    let bySize = Int((pixels / Double(fittingPixels)).squareRoot().rounded(.up))
    let subsampling = max(1, min(bySize, radius / 2))
    return GuidedFilter(radius: radius, epsilon: 1e-3, subsampling: subsampling)
  }

  /// `mask` (values 0…1, any size) refined along `photo`'s edges: soft alpha at the photo's
  /// size, clamped to 0…1.
  /// - Parameters:
  ///   - mask: the coarse mask.
  ///   - photo: the picture whose edges the result follows.
  ///   - coarseness: photo pixels per mask pixel; by default from the two sizes.
  /// - Returns: the refined alpha.
  /// - Throws: `ImageError.invalidArgument` for unusable sizes.
  public static func refine(_ mask: FloatMap, photo: Image, coarseness: Double? = nil) throws
    -> FloatMap
  {
    let factor =
      coarseness
      ?? max(
        Double(photo.width) / Double(mask.width), Double(photo.height) / Double(mask.height), 1)
    let filter = self.filter(width: photo.width, height: photo.height, coarseness: factor)
    var alpha = try filter.apply(mask, guide: photo)
    alpha.values.withUnsafeMutableBufferPointer { values in
      for i in values.indices { values[i] = min(1, max(0, values[i])) }
    }
    return alpha
  }
}

extension SegmenterDescription {
  /// Photo pixels per pixel of this model's probability map for `image`: a `resized` model
  /// sees the picture at its working size, a `tiled` one at its own.
  public func coarseness(of image: Image) -> Double {
    guard layout == .resized else { return 1 }
    return max(Double(image.width), Double(image.height)) / Double(size)
  }
}
