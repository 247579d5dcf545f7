// GrabCut: the object inside a box, with no learned weights. Colour models (Gaussian mixtures)
// of the box's inside and of its surroundings, and a graph cut that trades colour likelihood
// against cutting between similar neighbours, iterated: each cut relabels the pixels the
// models are refitted on. Coarse to fine: the cuts run on the box's surroundings shrunk to
// about `workingPixels`, and the coarse mask is brought back to full resolution by the guided
// filter (EdgeRefinement), which puts its edge on the photo's edges.
// - Paper: Rother, Kolmogorov, Blake, "GrabCut: interactive foreground extraction using
//   iterated graph cuts", SIGGRAPH 2004.
// Leaves out: border matting (the guided filter does that job), user strokes between rounds
// (a hint image fixes pixels once instead).
import Foundation
import Neurona
import NeuronaImage

/// A rectangle of picture pixels: columns x ..< x + width, rows y ..< y + height.
public struct PixelBox: Equatable, Sendable, CustomStringConvertible {
  public var x: Int
  public var y: Int
  public var width: Int
  public var height: Int

  public init(x: Int, y: Int, width: Int, height: Int) {
    (self.x, self.y, self.width, self.height) = (x, y, width, height)
  }

  /// "X,Y,W,H", as given on the command line.
  public var description: String { "\(x),\(y),\(width),\(height)" }

  /// Whether the box has pixels and all of them lie in a `width × height` picture.
  public func fits(width pictureWidth: Int, height pictureHeight: Int) -> Bool {
    width > 0 && height > 0 && x >= 0 && y >= 0 && x <= pictureWidth - width
      && y <= pictureHeight - height
  }
}

/// GrabCut segmentation of boxed objects.
public struct GrabCut: Sendable {
  /// Rounds of fitting the colour models and cutting (fewer when the labels stop changing).
  public var iterations = 5
  /// Gaussians per colour model.
  public var components = 5
  /// γ: the cost of cutting between two identical neighbours (the paper's 50).
  public var smoothness: Float = 50
  /// The box's surroundings are shrunk to about this many pixels for the cuts.
  public var workingPixels = 120_000
  /// How strongly a segmenter's probabilities (when given) pull the cut, in nats per pixel.
  public var priorWeight: Float = 2
  /// Hint levels: at least `hintObject` fixes a pixel as object, at most `hintBackground` as
  /// background; levels between leave it to the cut.
  public static let hintObject: UInt8 = 200
  public static let hintBackground: UInt8 = 55

  public init() {}

  /// The object alpha (0…1) of every pixel of `image`: for each box the object inside it,
  /// all boxes combined (union, by maximum).
  /// - Parameters:
  ///   - image: the photo.
  ///   - boxes: the objects' boxes.
  ///   - hint: grey, the image's size: white (≥ 200) surely object, black (≤ 55) surely
  ///     background, other levels unknown. Fixes those pixels in the cut and in the result.
  ///   - prior: object probabilities at the image's size (a segmenter's), a prior for the cut.
  /// - Returns: the alpha map at the image's size.
  /// - Throws: `VisionError` for a box outside the picture or a hint or prior of another size.
  public func alpha(
    _ image: Image, boxes: [PixelBox], hint: Image? = nil, prior: FloatMap? = nil
  ) throws -> FloatMap {
    let (width, height) = (image.width, image.height)
    for box in boxes where !box.fits(width: width, height: height) {
      throw VisionError("box \(box) is not inside the \(width)×\(height) picture")
    }
    if let hint, hint.width != width || hint.height != height {
      throw VisionError(
        "the hint is \(hint.width)×\(hint.height), the picture \(width)×\(height): they must match")
    }
    if let prior, prior.width != width || prior.height != height {
      throw VisionError("the prior map's size differs from the picture's")
    }
    let rgb = image.channels == 3 ? image : try image.converted(toChannels: 3)
    let grey = try hint.map { $0.channels == 1 ? $0 : try $0.converted(toChannels: 1) }
    var alpha = [Float](repeating: 0, count: width * height)
    for box in boxes {
      let (region, values) = try objectAlpha(rgb, box: box, hint: grey, prior: prior)
      // Keep the inside of the box: outside it is background by definition.
      for y in box.y..<(box.y + box.height) {
        for x in box.x..<(box.x + box.width) {
          let v = values[(y - region.y) * region.width + x - region.x]
          alpha[y * width + x] = max(alpha[y * width + x], v)
        }
      }
    }
    if let grey {
      for i in alpha.indices {
        if grey.pixels[i] >= GrabCut.hintObject { alpha[i] = 1 }
        if grey.pixels[i] <= GrabCut.hintBackground { alpha[i] = 0 }
      }
    }
    return try FloatMap(width: width, height: height, values: alpha)
  }

  /// One box: the alpha over `region` (the box and a margin around it), row-major.
  func objectAlpha(_ rgb: Image, box: PixelBox, hint: Image?, prior: FloatMap?) throws
    -> (region: PixelBox, values: [Float])
  {
    let margin = max(8, max(box.width, box.height) / 4)
    let x0 = max(0, box.x - margin)
    let y0 = max(0, box.y - margin)
    let x1 = min(rgb.width, box.x + box.width + margin)
    let y1 = min(rgb.height, box.y + box.height + margin)
    let region = PixelBox(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
    let crop = try rgb.cropped(x: x0, y: y0, width: region.width, height: region.height)
    let area = Double(region.width * region.height)
    let scale = min(1, (Double(workingPixels) / area).squareRoot())
    let w = max(1, Int((Double(region.width) * scale).rounded()))
    let h = max(1, Int((Double(region.height) * scale).rounded()))
    let coarse =
      (w, h) == (region.width, region.height) ? crop : try crop.resized(width: w, height: h)
    // Coarse pixel (u, v) is in the box when its centre is.
    let inX = (0..<w).map { u -> Bool in
      let x = Double(x0) + (Double(u) + 0.5) * Double(region.width) / Double(w)
      return x >= Double(box.x) && x < Double(box.x + box.width)
    }
    let inY = (0..<h).map { v -> Bool in
      let y = Double(y0) + (Double(v) + 0.5) * Double(region.height) / Double(h)
      return y >= Double(box.y) && y < Double(box.y + box.height)
    }
    var state = [CutState](repeating: .background, count: w * h)
    for v in 0..<h where inY[v] {
      for u in 0..<w where inX[u] { state[v * w + u] = .probablyObject }
    }
    if let hint {
      let small = try hint.cropped(x: x0, y: y0, width: region.width, height: region.height)
        .resized(width: w, height: h)
      for i in state.indices {
        if small.pixels[i] >= GrabCut.hintObject { state[i] = .object }
        if small.pixels[i] <= GrabCut.hintBackground { state[i] = .background }
      }
    }
    var priorCosts: [(object: Float, background: Float)]? = nil
    if let prior {
      var values = [Float](repeating: 0, count: region.width * region.height)
      for y in 0..<region.height {
        for x in 0..<region.width {
          values[y * region.width + x] = prior.values[(y0 + y) * prior.width + x0 + x]
        }
      }
      let small = try FloatMap(width: region.width, height: region.height, values: values)
        .resized(width: w, height: h)
      priorCosts = small.values.map { p in
        let q = min(0.98, max(0.02, p))
        return (-priorWeight * log(q), -priorWeight * log(1 - q))
      }
    }
    let labels = cut(
      CutGrid(pixels: coarse.pixels, width: w, height: h), state: state, prior: priorCosts)
    let coarseMap = try FloatMap(width: w, height: h, values: labels.map { $0 ? 1 : 0 })
    let alpha = try EdgeRefinement.refine(coarseMap, photo: crop, coarseness: 1 / scale)
    return (region, alpha.values)
  }
}

/// What the cut knows of a pixel: fixed (outside the box, or hinted) or its current guess.
enum CutState: UInt8 {
  case background, object, probablyBackground, probablyObject

  var isObject: Bool { self == .object || self == .probablyObject }
  var isFixed: Bool { self == .object || self == .background }
}

/// The coarse picture the cuts run on: RGB bytes, W×H.
struct CutGrid {
  let pixels: [UInt8]
  let width: Int
  let height: Int

  /// Pixel i's colour, 0…255.
  @inline(__always) func colour(_ i: Int) -> SIMD3<Float> {
    SIMD3(Float(pixels[3 * i]), Float(pixels[3 * i + 1]), Float(pixels[3 * i + 2]))
  }
}

extension GrabCut {
  /// The rounds of fitting colour models and cutting on the coarse grid; true = object.
  func cut(
    _ grid: CutGrid, state initial: [CutState], prior: [(object: Float, background: Float)]?
  ) -> [Bool] {
    var state = initial
    let (w, h) = (grid.width, grid.height)
    let colours = (0..<(w * h)).map(grid.colour)
    // A box filling the picture leaves no background to learn from: its rim seeds the model.
    if !state.contains(.background) {
      for v in 0..<h {
        for u in 0..<w
        where (u == 0 || v == 0 || u == w - 1 || v == h - 1) && !state[v * w + u].isFixed {
          state[v * w + u] = .probablyBackground
        }
      }
    }
    // The rectangle the cut decides: the pixels not fixed, and a frame of one pixel.
    var (minX, minY, maxX, maxY) = (w, h, -1, -1)
    for v in 0..<h {
      for u in 0..<w where !state[v * w + u].isFixed {
        (minX, minY, maxX, maxY) = (min(minX, u), min(minY, v), max(maxX, u), max(maxY, v))
      }
    }
    guard maxX >= 0 else { return state.map(\.isObject) }
    let rect = PixelBox(
      x: max(0, minX - 1), y: max(0, minY - 1), width: min(w - 1, maxX + 1) - max(0, minX - 1) + 1,
      height: min(h - 1, maxY + 1) - max(0, minY - 1) + 1)
    let links = neighbourWeights(colours, width: w, height: h, rect: rect)
    let hard = 1 + 9 * smoothness
    let forward = [4, 5, 6, 7]
    var objectModel: GaussianMixture? = nil
    var backgroundModel: GaussianMixture? = nil
    for _ in 0..<iterations {
      let objectColours = colours.indices.filter { state[$0].isObject }.map { colours[$0] }
      let backgroundColours = colours.indices.filter { !state[$0].isObject }.map { colours[$0] }
      guard !objectColours.isEmpty, !backgroundColours.isEmpty else { break }
      let objectLabels =
        objectModel.map { m in objectColours.map(m.component(of:)) }
        ?? GaussianMixture.initialLabels(objectColours, count: components)
      let backgroundLabels =
        backgroundModel.map { m in backgroundColours.map(m.component(of:)) }
        ?? GaussianMixture.initialLabels(backgroundColours, count: components)
      let object = GaussianMixture(colours: objectColours, labels: objectLabels, count: components)
      let background = GaussianMixture(
        colours: backgroundColours, labels: backgroundLabels, count: components)
      (objectModel, backgroundModel) = (object, background)

      let graph = GridGraph(width: rect.width, height: rect.height)
      let costs = colourCosts(colours, width: w, rect: rect, object: object, background: background)
      for ry in 0..<rect.height {
        for rx in 0..<rect.width {
          let i = (rect.y + ry) * w + rect.x + rx
          let r = ry * rect.width + rx
          switch state[i] {
          case .object: graph.setTerminal(rx, ry, source: hard, sink: 0)
          case .background: graph.setTerminal(rx, ry, source: 0, sink: hard)
          default:
            let p = prior?[i] ?? (object: 0, background: 0)
            // Ending as background pays the background model's cost, and so on.
            graph.setTerminal(
              rx, ry, source: costs[2 * r + 1] + p.background, sink: costs[2 * r] + p.object)
          }
          for (k, d) in forward.enumerated() {
            let weight = links[4 * r + k]
            if weight > 0 { graph.setEdge(rx, ry, direction: d, capacity: weight) }
          }
        }
      }
      let isObject = graph.minimumCut()
      var changed = 0
      for ry in 0..<rect.height {
        for rx in 0..<rect.width {
          let i = (rect.y + ry) * w + rect.x + rx
          guard !state[i].isFixed else { continue }
          let next: CutState =
            isObject[ry * rect.width + rx] ? .probablyObject : .probablyBackground
          if next != state[i] { changed += 1 }
          state[i] = next
        }
      }
      if changed == 0 { break }
    }
    return state.map(\.isObject)
  }

  /// −log p under each model for the pixels of `rect`: [object, background] per pixel,
  /// computed on all cores.
  func colourCosts(
    _ colours: [SIMD3<Float>], width w: Int, rect: PixelBox, object: GaussianMixture,
    background: GaussianMixture
  ) -> [Float] {
    let count = rect.width * rect.height
    return [Float](unsafeUninitializedCapacity: 2 * count) { out, initialized in
      guard let costs = out.baseAddress else { return }
      let chunks = max(1, min(16, count / 8192))
      ComputeThreads.parallel(chunks) { chunk in
        for r in (chunk * count / chunks)..<((chunk + 1) * count / chunks) {
          let i = (rect.y + r / rect.width) * w + rect.x + r % rect.width
          costs[2 * r] = object.cost(colours[i])
          costs[2 * r + 1] = background.cost(colours[i])
        }
      }
      initialized = 2 * count
    }
  }

  /// The n-link capacities γ·exp(−β‖zᵢ − zⱼ‖²)/dist towards directions 4…7 (right, down-left,
  /// down, down-right) of every pixel of `rect`, 0 where the neighbour is outside it. β is
  /// 1/(2·mean ‖zᵢ − zⱼ‖²) over the whole grid, so the weights adapt to the picture's contrast.
  func neighbourWeights(_ colours: [SIMD3<Float>], width w: Int, height h: Int, rect: PixelBox)
    -> [Float]
  {
    let steps = [4, 5, 6, 7].map { GridGraph.steps[$0] }
    var total = 0.0
    var pairs = 0
    for v in 0..<h {
      for u in 0..<w {
        for step in steps {
          let (x, y) = (u + step.dx, v + step.dy)
          guard x >= 0, x < w, y < h else { continue }
          let d = colours[v * w + u] - colours[y * w + x]
          total += Double((d * d).sum())
          pairs += 1
        }
      }
    }
    let beta = total > 0 ? Float(Double(pairs) / (2 * total)) : 0
    var links = [Float](repeating: 0, count: 4 * rect.width * rect.height)
    for ry in 0..<rect.height {
      for rx in 0..<rect.width {
        for (k, step) in steps.enumerated() {
          let (x, y) = (rx + step.dx, ry + step.dy)
          guard x >= 0, x < rect.width, y < rect.height else { continue }
          let a = colours[(rect.y + ry) * w + rect.x + rx]
          let b = colours[(rect.y + y) * w + rect.x + x]
          let d = a - b
          let distance: Float = step.dx != 0 && step.dy != 0 ? 1.414_213_6 : 1
          links[4 * (ry * rect.width + rx) + k] = smoothness * exp(-beta * (d * d).sum()) / distance
        }
      }
    }
    return links
  }
}
