// Known answers for the model-free object tools: the graph cut against every labelling of a
// tiny grid, GrabCut on a generated two-colour disc, the guided filter on a linear input, and
// refinement putting a shrunk, shifted mask back on the picture's edge.
import Neurona
import NeuronaImage
import NeuronaVision
import Testing

/// A small deterministic generator for test pictures.
private struct Dice {
  var state: UInt64
  mutating func next(_ n: Int) -> Int {
    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    return Int(state >> 33) % n
  }
}

/// IoU of two masks given as booleans.
private func iou(_ a: [Bool], _ b: [Bool]) -> Double {
  let both = zip(a, b).filter { $0 && $1 }.count
  let either = zip(a, b).filter { $0 || $1 }.count
  return either == 0 ? 1 : Double(both) / Double(either)
}

/// An RGB picture of a disc, its left half red and right half yellow, on a noisy green
/// background; and the disc's mask.
private func twoColourDisc(width: Int, height: Int, radius: Double, seed: UInt64) throws
  -> (image: Image, truth: [Bool])
{
  var dice = Dice(state: seed)
  var pixels = [UInt8](repeating: 0, count: width * height * 3)
  var truth = [Bool](repeating: false, count: width * height)
  let (cx, cy) = (Double(width) / 2, Double(height) / 2)
  for y in 0..<height {
    for x in 0..<width {
      let dx = Double(x) + 0.5 - cx
      let dy = Double(y) + 0.5 - cy
      let inside = dx * dx + dy * dy <= radius * radius
      let colour: [Int] = inside ? (dx < 0 ? [215, 45, 40] : [235, 215, 60]) : [40, 130, 60]
      for c in 0..<3 { pixels[(y * width + x) * 3 + c] = UInt8(colour[c] + dice.next(21) - 10) }
      truth[y * width + x] = inside
    }
  }
  return (try Image(width: width, height: height, channels: 3, pixels: pixels), truth)
}

@Test func graphCutFindsTheCheapestLabellingOfATinyGrid() {
  // Every one of the 2¹⁶ labellings of a 4×4 grid is priced; the cut must cost the least.
  // Strong neighbour links make the flow take detours (and cancel earlier flow).
  let (width, height) = (4, 4)
  for seed in 1...40 {
    var dice = Dice(state: UInt64(seed))
    let graph = GridGraph(width: width, height: height)
    var source = [Float](repeating: 0, count: width * height)
    var sink = [Float](repeating: 0, count: width * height)
    var links: [(Int, Int, Float)] = []
    for y in 0..<height {
      for x in 0..<width {
        let data = Float(dice.next(200) - 100) / 10
        source[y * width + x] = max(0, data)
        sink[y * width + x] = max(0, -data)
        graph.setTerminal(x, y, source: source[y * width + x], sink: sink[y * width + x])
        for d in 4..<8 {
          let (nx, ny) = (x + GridGraph.steps[d].dx, y + GridGraph.steps[d].dy)
          guard nx >= 0, nx < width, ny < height else { continue }
          let weight = Float(dice.next(120)) / 10
          graph.setEdge(x, y, direction: d, capacity: weight)
          links.append((y * width + x, ny * width + nx, weight))
        }
      }
    }
    func energy(_ object: [Bool]) -> Float {
      var total: Float = 0
      for i in object.indices { total += object[i] ? sink[i] : source[i] }
      for (a, b, w) in links where object[a] != object[b] { total += w }
      return total
    }
    let cut = graph.minimumCut()
    var best = Float.infinity
    for bits in 0..<(1 << (width * height)) {
      let labels = (0..<(width * height)).map { (bits >> $0) & 1 == 1 }
      best = min(best, energy(labels))
    }
    #expect(abs(energy(cut) - best) < 1e-3, "seed \(seed): \(energy(cut)) vs \(best)")
  }
}

@Test func grabCutFindsATwoColourDiscInABox() throws {
  // At full resolution (small picture) and coarse to fine (0.48 MP, cut at ~0.12 MP).
  for (width, height, radius) in [(120, 90, 30.0), (800, 600, 190.0)] {
    let (image, truth) = try twoColourDisc(width: width, height: height, radius: radius, seed: 7)
    let margin = Int(radius / 3)
    let box = PixelBox(
      x: width / 2 - Int(radius) - margin, y: height / 2 - Int(radius) - margin,
      width: 2 * (Int(radius) + margin), height: 2 * (Int(radius) + margin))
    let alpha = try GrabCut().alpha(image, boxes: [box])
    let found = alpha.values.map { $0 >= 0.5 }
    #expect(iou(found, truth) >= 0.98, "\(width)×\(height): IoU \(iou(found, truth))")
  }
}

@Test func grabCutHintRemovesWhatItMarksAsBackground() throws {
  // The box holds the whole disc; the hint marks its right (yellow) half as background.
  let (image, truth) = try twoColourDisc(width: 120, height: 90, radius: 30, seed: 3)
  var hint = try Image(width: 120, height: 90, channels: 1, filledWith: [128])
  for y in 0..<90 { for x in 60..<120 { hint[x: x, y: y, channel: 0] = 0 } }
  let alpha = try GrabCut().alpha(
    image, boxes: [PixelBox(x: 20, y: 5, width: 80, height: 80)], hint: hint)
  let found = alpha.values.map { $0 >= 0.5 }
  let leftHalf = truth.indices.map { truth[$0] && $0 % 120 < 60 }
  #expect(iou(found, leftHalf) >= 0.95, "IoU \(iou(found, leftHalf))")
  // A box outside the picture and a hint of another size are errors, not crashes.
  #expect(throws: VisionError.self) {
    try GrabCut().alpha(image, boxes: [PixelBox(x: 100, y: 10, width: 40, height: 40)])
  }
  #expect(throws: VisionError.self) {
    try GrabCut().alpha(
      image, boxes: [PixelBox(x: 10, y: 10, width: 40, height: 40)],
      hint: try Image(width: 60, height: 45, channels: 1, filledWith: [128]))
  }
}

@Test func guidedFilterKeepsAnInputThatIsLinearInTheGuide() throws {
  // p = 0.2 + 0.5·R/255 is exactly a·I + b in every window, so q = p (up to ε's pull).
  var dice = Dice(state: 11)
  let (width, height) = (37, 23)
  let pixels = (0..<(width * height * 3)).map { _ in UInt8(dice.next(256)) }
  let guide = try Image(width: width, height: height, channels: 3, pixels: pixels)
  let p = (0..<(width * height)).map { 0.2 + 0.5 * Float(pixels[3 * $0]) / 255 }
  let q = try GuidedFilter(radius: 3, epsilon: 1e-6).apply(
    FloatMap(width: width, height: height, values: p), guide: guide)
  let worst = zip(p, q.values).map { abs($0 - $1) }.max() ?? 1
  #expect(worst < 1e-3, "largest difference \(worst)")
}

@Test func refinementPutsAShrunkShiftedMaskBackOnThePictureEdge() throws {
  // A 480×360 two-colour disc; the coarse mask is the truth shrunk 8× (area average) and
  // moved by one coarse pixel: bilinear upscaling keeps the error, refinement removes most.
  let (width, height, factor) = (480, 360, 8)
  let (image, truth) = try twoColourDisc(width: width, height: height, radius: 120, seed: 5)
  let (w, h) = (width / factor, height / factor)
  var coarse = [Float](repeating: 0, count: w * h)
  for v in 0..<h {
    for u in 0..<w {
      var inside = 0
      for y in (v * factor)..<((v + 1) * factor) {
        for x in (u * factor + factor)..<((u + 1) * factor + factor) where x < width {
          inside += truth[y * width + x] ? 1 : 0
        }
      }
      coarse[v * w + u] = Float(inside) / Float(factor * factor)
    }
  }
  let map = try FloatMap(width: w, height: h, values: coarse)
  let upscaled = try map.resized(width: width, height: height).values.map { $0 >= 0.5 }
  let refined = try EdgeRefinement.refine(map, photo: image).values.map { $0 >= 0.5 }
  let before = iou(upscaled, truth)
  let after = iou(refined, truth)
  #expect(after >= before + 0.02, "bilinear \(before), refined \(after)")
  #expect(after >= 0.98, "refined IoU \(after)")
}
