// The split of a global batch between the processes of a data-parallel run, and the
// per-example dropout masks that make one process and several train alike.
import Neurona
import Testing

/// A group member that only knows its place (no collectives are called).
private final class Member: ProcessGroup {
  let rank: Int, size: Int
  init(_ rank: Int, of size: Int) { (self.rank, self.size) = (rank, size) }
  func sum(_ values: UnsafeMutableBufferPointer<Float>) throws {}
  func sum(_ values: UnsafeMutableBufferPointer<Double>) throws {}
  var collectiveSeconds: Double { 0 }
  func finish() {}
}

@Test func aBatchIsSplitIntoContiguousNearEqualShares() {
  for (count, size) in [(8, 2), (10, 3), (5, 5), (64, 7)] {
    let shares = (0..<size).map { Member($0, of: size).share(of: count) }
    #expect(shares.first?.lowerBound == 0 && shares.last?.upperBound == count)
    for (a, b) in zip(shares, shares.dropFirst()) { #expect(a.upperBound == b.lowerBound) }
    #expect(Set(shares.map(\.count)).isSubset(of: [count / size, count / size + 1]))
  }
}

@Test func dropoutMasksFollowTheExampleNotTheProcess() {
  let input = Tensor(repeating: 1, shape: [6, 10])
  let whole = Dropout(rate: 0.5, seed: 4).forward(input, mode: .training)
  // The same layer state, its rows 3..<6 alone, placed at global row 3 (as a data-parallel
  // step sets GlobalBatch.firstRow; not set here: tests run side by side in one process).
  let part = Dropout(rate: 0.5, seed: 4).forward(
    Tensor(repeating: 1, shape: [3, 10]), mode: .training, firstRow: 3)
  #expect(Array(whole.scalars[30...]) == part.scalars)
}
