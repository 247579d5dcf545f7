// The seeded random-number generator every random choice of the core draws from:
// initial weights, dropout masks, shuffling and augmentation. There is no global RNG,
// so a run with the same seed can be replayed exactly.
#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// SplitMix64: a tiny, fast, well-mixed 64-bit generator with a seedable state.
///
/// - Paper: Steele, Lea, Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014.
public struct SplitMix64: RandomNumberGenerator {
  /// The whole state: save it to resume a run, pass it to `init(seed:)` to restore it.
  public private(set) var state: UInt64

  /// A generator whose whole future is determined by `seed` (or a saved `state`).
  public init(seed: UInt64) { state = seed }

  /// The next 64 random bits.
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

extension RandomNumberGenerator {
  /// A uniform Float in [0, 1) with 24 random bits.
  public mutating func nextUnitFloat() -> Float {
    Float(next() >> 40) * (1.0 / Float(1 << 24))
  }

  /// A standard normal sample (Box–Muller).
  public mutating func nextGaussian() -> Float {
    let u1 = Double(next() >> 11) * (1.0 / Double(1 << 53))
    let u2 = Double(next() >> 11) * (1.0 / Double(1 << 53))
    let radius = (-2 * log(max(u1, 1e-300))).squareRoot()
    return Float(radius * cos(2 * Double.pi * u2))
  }
}
