// Bounded, seeded mutation tests of the core's loaders (the quick, deterministic cousins of
// the libFuzzer targets in Fuzz/): IDX files and safetensors files with flipped bytes, cut
// tails and numbers swapped for huge ones load or throw ModelFileError, never crash; and the
// crafted headers the fuzzers and review turned up (sizes that overflow, a few bytes claiming
// two billion elements) are refused without trapping or allocating what they claim.
import Foundation
import Neurona
import NeuronaTestSupport
import NeuronaVision
import Testing

/// Applies 1–4 random edits: a flipped bit, a random byte, a run of 0xFF, a cut tail.
private func mutate(_ original: [UInt8], within limit: Int? = nil, using rng: inout SplitMix64)
  -> [UInt8]
{
  var bytes = original
  for _ in 0..<Int.random(in: 1...4, using: &rng) where !bytes.isEmpty {
    let at = Int.random(in: 0..<min(bytes.count, limit ?? bytes.count), using: &rng)
    switch Int.random(in: 0..<4, using: &rng) {
    case 0: bytes[at] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng))
    case 1: bytes[at] = UInt8.random(in: 0...255, using: &rng)
    case 2: for i in at..<min(at + 4, bytes.count) { bytes[i] = 0xFF }
    default: bytes.removeSubrange(at...)
    }
  }
  return bytes
}

@Test func idxMutationLoopNeverCrashes() throws {
  let images: [UInt8] = [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 3] + Array(0..<18)
  let labels: [UInt8] = [0, 0, 8, 1, 0, 0, 0, 4, 1, 2, 3, 4]
  let seeds = [images, labels, gzip(images), gzip(labels)]
  var rng = SplitMix64(seed: 20_261_130)
  let path = scratchPath("mutant.idx")
  var (loaded, refused) = (0, 0)
  for round in 0..<3000 {
    let bytes = mutate(seeds[round % seeds.count], using: &rng)
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    do {
      let file = try IDXFile.read(contentsOf: path)
      #expect(file.bytes.count == file.shape.reduce(1, *))
      loaded += 1
    } catch is ModelFileError {
      refused += 1
    }
  }
  #expect(loaded + refused == 3000 && loaded > 0 && refused > 0)
}

@Test func idxHeadersClaimingHugeArraysAreRefusedCheaply() throws {
  let path = scratchPath("huge.idx")
  // Rank 4 with dimensions whose product overflows Int (each < 2^31): used to wrap to a
  // small count and return a shape that disagreed with its bytes.
  let overflow: [UInt8] = [0, 0, 8, 4] + [UInt8](repeating: 0x7F, count: 16)
  // Rank 1 claiming 2^31 − 1 elements with 3 bytes of data: truncated, found without
  // allocating 2 GB first.
  let claim: [UInt8] = [0, 0, 8, 1, 0x7F, 0xFF, 0xFF, 0xFF, 1, 2, 3]
  for bytes in [overflow, claim, gzip(claim)] {
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    #expect(throws: ModelFileError.self) { try IDXFile.read(contentsOf: path) }
  }
}

/// A safetensors file with one F32 tensor entry written by hand.
private func craftedSafetensors(shape: String, offsets: String, dataBytes: Int = 8) -> Data {
  let header = "{\"t\":{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(offsets)]}}"
  var data = Data()
  withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { data.append(contentsOf: $0) }
  data.append(contentsOf: Array(header.utf8))
  data.append(contentsOf: [UInt8](repeating: 0, count: dataBytes))
  return data
}

@Test func safetensorsSizesThatOverflowAreErrorsNotTraps() throws {
  // count × 4 overflows Int; an end offset near Int.max overflowed `dataStart + end`.
  let cases = [
    craftedSafetensors(shape: "1073741824,1073741824,4", offsets: "0,0"),
    craftedSafetensors(shape: "2", offsets: "9223372036854775800,9223372036854775807"),
    craftedSafetensors(shape: "2", offsets: "-8,0"),
    craftedSafetensors(shape: "2", offsets: "0,8", dataBytes: 4),
  ]
  for data in cases {
    #expect(throws: ModelFileError.self) { try SafeTensors.decode(data) }
  }
  #expect(
    try SafeTensors.decode(craftedSafetensors(shape: "2", offsets: "0,8")).tensors["t"]?.count == 2)
}

@Test func safetensorsMutationLoopNeverCrashes() throws {
  var generator = SplitMix64(seed: 5)
  let model = Sequential([Dense(3, 4, using: &generator), ReLU(), Dense(4, 2, using: &generator)])
  let original = [UInt8](ModelFile.contents(of: model, metadata: ["note": "x"]).encoded())
  let headerEnd = 8 + original.prefix(8).reversed().reduce(0) { $0 << 8 | Int($1) }
  var rng = SplitMix64(seed: 20_261_131)
  var (loaded, refused) = (0, 0)
  for _ in 0..<3000 {
    // Mostly the header (where the structure is), sometimes anywhere.
    let limit = Int.random(in: 0..<4, using: &rng) == 0 ? nil : headerEnd
    let bytes = mutate(original, within: limit, using: &rng)
    do {
      let file = try SafeTensors.decode(Data(bytes))
      for tensor in file.tensors.values { #expect(tensor.count == tensor.shape.reduce(1, *)) }
      loaded += 1
    } catch is ModelFileError {
      refused += 1
    }
  }
  #expect(loaded + refused == 3000 && refused > 0)
}
