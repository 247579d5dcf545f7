// StridedCopy: gathering every s-th float of a row into a contiguous run, the strided reads of
// im2col and of the depthwise convolution's phase planes. A scalar loop over such a gather
// costs several times a plain copy (it was most of the person segmenter's stride-2 layers'
// data movement); stride 2 gets vector loads of sixteen floats and their even lanes.

/// Strided gathers into contiguous rows.
enum StridedCopy {
  /// target[k] = source[k·s] for k < count. Never reads past source[(count − 1)·s], so a
  /// gather ending at the last float of a buffer is safe.
  @inline(__always)
  static func gather(
    _ source: UnsafePointer<Float>, stride s: Int, into target: UnsafeMutablePointer<Float>,
    count: Int
  ) {
    guard s == 2, count > 8 else {
      for k in 0..<count { target[k] = source[k * s] }
      return
    }
    // source[2k ..< 2k + 16] ends before the last float read, 2(count − 1), while k + 8 < count.
    var k = 0
    while k + 8 < count {
      store(load16(source + 2 * k).evenHalf, target + k)
      k += 8
    }
    // The last eight (overlapping what is done) from sixteen ending exactly at 2(count − 1):
    // their odd lanes are source[2(count − 8) + 2j].
    let last = count - 8
    store(load16(source + 2 * last - 1).oddHalf, target + last)
  }

  /// target[k] = source[k] for k < count (the buffers do not overlap), in vectors: the last
  /// one overlaps what is done instead of reading or writing past `count`. For the short
  /// rows of small planes, where `update(from:count:)` is a call to memmove per row.
  @inline(__always)
  static func copy(
    _ source: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>, count: Int
  ) {
    if count >= 8 {
      var k = 0
      while k + 8 < count {
        store(load8(source + k), target + k)
        k += 8
      }
      store(load8(source + count - 8), target + count - 8)
    } else if count >= 4 {
      store4(load4(source), target)
      store4(load4(source + count - 4), target + count - 4)
    } else {
      for k in 0..<count { target[k] = source[k] }
    }
  }

  @inline(__always)
  private static func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
  }

  @inline(__always)
  private static func load4(_ p: UnsafePointer<Float>) -> SIMD4<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Float>.self)
  }

  @inline(__always)
  private static func store4(_ value: SIMD4<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: value, as: SIMD4<Float>.self)
  }

  @inline(__always)
  private static func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
  }

  @inline(__always)
  private static func store(_ value: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: value, as: SIMD8<Float>.self)
  }
}
