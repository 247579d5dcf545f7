// MaxPoolPlane: the inner loops of MaxPool2D over one H×W plane — the general k×k window
// with stride s, and the common 2×2 stride-2 window eight outputs at a time.
// H×W = plane size, k = window, s = stride, H'×W' = output size (no padding, floor).
// Both paths compare in the same order (row by row within the window, strictly greater
// wins), so a tie goes to the first input and the maxima and indices are the same whichever
// path runs. Indices are flat positions within the plane, recorded only when asked (for
// training's backward).

/// Max pooling of a single plane.
enum MaxPoolPlane {
  /// Pools the H×W plane `x` into the H'×W' plane `y` with a k×k window and stride s,
  /// H' = (H − k) / s + 1; writes each winner's flat index into `indices` when given.
  static func pool(
    _ x: UnsafePointer<Float>, height h: Int, width w: Int, kernel k: Int, stride s: Int,
    into y: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int32>?
  ) {
    let (outH, outW) = ((h - k) / s + 1, (w - k) / s + 1)
    if k == 2 && s == 2 {
      for i in 0..<outH {
        let row = i * outW
        pool2x2Row(
          x + 2 * i * w, width: w, outW, into: y + row, indices: indices.map { $0 + row },
          start: Int32(2 * i * w))
      }
      return
    }
    // Comparisons are selects, not branches: the winner of a window is a coin toss on real
    // data, and mispredicted branches made this several times slower than a ReLU.
    for i in 0..<outH {
      for j in 0..<outW {
        var best = i * s * w + j * s
        var largest = x[best]
        for u in 0..<k {
          let row = (i * s + u) * w + j * s
          for v in 0..<k {
            let candidate = x[row + v]
            (largest, best) = candidate > largest ? (candidate, row + v) : (largest, best)
          }
        }
        y[i * outW + j] = largest
        indices?[i * outW + j] = Int32(best)
      }
    }
  }

  /// The 2×2 stride-2 pool of `outH` × `outW` outputs from rows `rowStride` apart (a plane
  /// wider than its 2·outW valid columns), without indices.
  static func pool2x2(
    _ x: UnsafePointer<Float>, outputHeight outH: Int, outputWidth outW: Int, rowStride: Int,
    into y: UnsafeMutablePointer<Float>
  ) {
    for i in 0..<outH {
      pool2x2Row(
        x + 2 * i * rowStride, width: rowStride, outW, into: y + i * outW, indices: nil, start: 0)
    }
  }

  /// One output row of the 2×2 stride-2 pool: `top` is input row 2i (row 2i + 1 follows at
  /// `width`), `start` its flat index in the plane. Eight outputs per step; a row whose
  /// length is not a multiple of eight ends with a step that overlaps the previous one
  /// (recomputing a few outputs identically), short rows go four at a time or one by one.
  @inline(__always)
  private static func pool2x2Row(
    _ top: UnsafePointer<Float>, width w: Int, _ outW: Int,
    into y: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int32>?, start: Int32
  ) {
    if outW >= 8 {
      var j = 0
      while j < outW {
        let at = Swift.min(j, outW - 8)
        pool2x2Lanes(
          8, top + 2 * at, width: w, into: y + at, indices: indices.map { $0 + at },
          start: start + Int32(2 * at))
        j = at + 8
      }
    } else if outW >= 4 {
      pool2x2Lanes(4, top, width: w, into: y, indices: indices, start: start)
      let at = outW - 4
      pool2x2Lanes(
        4, top + 2 * at, width: w, into: y + at, indices: indices.map { $0 + at },
        start: start + Int32(2 * at))
    } else {
      for j in 0..<outW {
        let (a, b, c, d) = (top[2 * j], top[2 * j + 1], top[w + 2 * j], top[w + 2 * j + 1])
        var (largest, best) = (a, 0)
        (largest, best) = b > largest ? (b, 1) : (largest, best)
        (largest, best) = c > largest ? (c, w) : (largest, best)
        (largest, best) = d > largest ? (d, w + 1) : (largest, best)
        y[j] = largest
        indices?[j] = start + Int32(2 * j + best)
      }
    }
  }

  /// `lanes` 2×2 windows side by side — eight, or four for rows of 4 to 7 outputs: 2·lanes
  /// floats of each input row, split into the even and odd columns (the windows' left and
  /// right inputs). Four windows run in the low half of the eight-lane code.
  @inline(__always)
  private static func pool2x2Lanes(
    _ lanes: Int, _ top: UnsafePointer<Float>, width w: Int, into y: UnsafeMutablePointer<Float>,
    indices: UnsafeMutablePointer<Int32>?, start: Int32
  ) {
    @inline(__always) func load(_ row: UnsafePointer<Float>) -> SIMD16<Float> {
      let raw = UnsafeRawPointer(row)
      return lanes == 8
        ? raw.loadUnaligned(as: SIMD16<Float>.self)
        : SIMD16(lowHalf: raw.loadUnaligned(as: SIMD8<Float>.self), highHalf: .zero)
    }
    let (upper, lower) = (load(top), load(top + w))
    let (a, b, c, d) = (upper.evenHalf, upper.oddHalf, lower.evenHalf, lower.oddHalf)
    var largest = a
    let overB = b .> largest
    largest.replace(with: b, where: overB)
    let overC = c .> largest
    largest.replace(with: c, where: overC)
    let overD = d .> largest
    largest.replace(with: d, where: overD)
    let target = UnsafeMutableRawPointer(y)
    if lanes == 8 {
      target.storeBytes(of: largest, as: SIMD8<Float>.self)
    } else {
      target.storeBytes(of: largest.lowHalf, as: SIMD4<Float>.self)
    }
    guard let indices else { return }
    let first = SIMD8<Int32>(repeating: start) &+ SIMD8<Int32>(0, 2, 4, 6, 8, 10, 12, 14)
    var best = first
    best.replace(with: first &+ 1, where: overB)
    best.replace(with: first &+ Int32(w), where: overC)
    best.replace(with: first &+ Int32(w + 1), where: overD)
    let winners = UnsafeMutableRawPointer(indices)
    if lanes == 8 {
      winners.storeBytes(of: best, as: SIMD8<Int32>.self)
    } else {
      winners.storeBytes(of: best.lowHalf, as: SIMD4<Int32>.self)
    }
  }
}
