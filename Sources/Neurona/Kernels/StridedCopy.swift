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

  @inline(__always)
  private static func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
  }

  @inline(__always)
  private static func store(_ value: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: value, as: SIMD8<Float>.self)
  }
}
