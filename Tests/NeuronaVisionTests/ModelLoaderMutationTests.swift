// Bounded, seeded mutation test of the model loaders `classify` and `segment` use:
// ModelFile.read, then Classifier.load / Segmenter.load (metadata → architecture → weights)
// on mutated files load or throw ModelFileError, never crash; and metadata that describes a
// network far larger than the file's weights is refused before the network is built.
import Foundation
import Neurona
import NeuronaTestSupport
import NeuronaVision
import Testing

/// A small classifier and a small segmenter, saved.
private func seedFiles() throws -> [[UInt8]] {
  let classifier = try Classifier(
    description: ClassifierDescription(
      architecture: .cnn, classNames: ["a", "b"], channels: 1, height: 8, width: 8, mean: [0.5],
      std: [0.25], baseWidth: 2, depth: 1),
    seed: 1)
  let segmenter = try Segmenter(
    description: SegmenterDescription(
      channels: 1, size: 16, baseWidth: 1, depth: 1, mean: [0], std: [1]),
    seed: 1)
  let (a, b) = (scratchPath("seed-classifier"), scratchPath("seed-segmenter"))
  try classifier.save(to: a)
  try segmenter.save(to: b)
  return try [a, b].map { [UInt8](try Data(contentsOf: URL(fileURLWithPath: $0))) }
}

/// Replaces the first number at or after a random place in the JSON header with a big one,
/// or flips a byte there: what moves a loader furthest.
private func mutateHeader(_ original: [UInt8], using rng: inout SplitMix64) -> [UInt8] {
  var bytes = original
  let headerEnd = 8 + bytes.prefix(8).reversed().reduce(0) { $0 << 8 | Int($1) }
  let at = Int.random(in: 8..<headerEnd, using: &rng)
  if Bool.random(using: &rng),
    let digit = bytes[at..<headerEnd].firstIndex(where: { (48...57).contains($0) })
  {
    let big = Array(
      ["65535", "1024", "8", "4096", "0", "99999999999999999999"].randomElement(using: &rng)!.utf8)
    var end = digit
    while end < headerEnd, (48...57).contains(bytes[end]) { end += 1 }
    bytes.replaceSubrange(digit..<end, with: big)
    // Keep the 8-byte header length right so the edit reaches the JSON parser.
    let size = UInt64(headerEnd - 8 + big.count - (end - digit))
    withUnsafeBytes(of: size.littleEndian) { bytes.replaceSubrange(0..<8, with: $0) }
  } else {
    bytes[at] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng))
  }
  return bytes
}

@Test func modelLoaderMutationLoopNeverCrashes() throws {
  let seeds = try seedFiles()
  var rng = SplitMix64(seed: 20_261_132)
  let path = scratchPath("mutant.safetensors")
  var outcomes = [0, 0]
  for round in 0..<600 {
    let bytes = mutateHeader(seeds[round % seeds.count], using: &rng)
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    for load in [{ _ = try Classifier.load(path) }, { _ = try Segmenter.load(path) }] {
      do {
        try load()
        outcomes[0] += 1
      } catch is ModelFileError {
        outcomes[1] += 1
      }
    }
  }
  #expect(outcomes[0] + outcomes[1] == 1200 && outcomes[1] > 0)
}

@Test func metadataClaimingAVastNetworkIsRefusedBeforeBuildingIt() throws {
  let seeds = try seedFiles()
  let file = try SafeTensors.decode(Data(seeds[0]))
  var vast = file
  vast.metadata["base_width"] = "65535"
  vast.metadata["depth"] = "12"
  vast.metadata["input_height"] = "60000"
  vast.metadata["input_width"] = "60000"
  let path = scratchPath("vast.safetensors")
  try vast.write(to: path)
  #expect(throws: ModelFileError.self) { try Classifier.load(path) }
  var unet = try SafeTensors.decode(Data(seeds[1]))
  unet.metadata["base_width"] = "1024"
  unet.metadata["depth"] = "8"
  unet.metadata["size"] = "4096"
  try unet.write(to: path)
  let error = #expect(throws: ModelFileError.self) { try Segmenter.load(path) }
  #expect(error?.description.contains("larger than the weights in the file") == true)
}
