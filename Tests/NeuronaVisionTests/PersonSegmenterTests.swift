// The person segmenter against MediaPipe itself: the shipped weights (Models/person.safetensors,
// imported from selfie_segmentation.tflite) must give MediaPipe 0.10.14's own probabilities on
// the exact 256×256 inputs it used. Fixtures (Fixtures/person/, see its README): the inputs as
// 8-bit PNG (the model input is exactly u8/255), MediaPipe's outputs as 16-bit PNG (p·65535
// rounded: 7.6e-6 quantisation, far below the tolerances).
import Foundation
import Neurona
import NeuronaImage
import NeuronaTestSupport
import NeuronaVision
import Testing

/// The repository's root, from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .deletingLastPathComponent().deletingLastPathComponent()
/// Fixtures/person/.
let personFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .appendingPathComponent("Fixtures/person")

/// Worst-case difference allowed per pixel: float32 rounding amplified near p = 0.5 (the
/// NumPy reference itself is 8.7e-5 from MediaPipe; a wrong convention costs ≥ 1e-2).
private let maxTolerance: Float = 1e-3
/// Mean difference allowed over the 65 536 pixels (the reference is 1e-7 … 3e-7 from MediaPipe).
private let meanTolerance: Double = 1e-4

/// The shipped person segmenter.
func loadPersonSegmenter() throws -> Segmenter {
  try Segmenter.load(repositoryRoot.appendingPathComponent("Models/person.safetensors").path)
}

/// MediaPipe's probabilities for a fixture photo, from its 16-bit PNG.
func mediaPipeOutput(_ name: String) throws -> [Float] {
  let map = try Gray16Image.read(
    contentsOf: personFixtures.appendingPathComponent("\(name)_output256.png").path)
  return map.values.map { Float($0) / 65535 }
}

@Test(arguments: ["astronaut", "coffee", "chelsea"])
func personNetworkMatchesMediaPipe(photo: String) throws {
  let segmenter = try loadPersonSegmenter()
  #expect(segmenter.description == .person)
  let image = try Image.read(
    contentsOf: personFixtures.appendingPathComponent("\(photo)_input256.png").path)
  let input = Tensor(shape: [1, 3, 256, 256], scalars: try image.floatPlanes())
  let logits = segmenter.network.forward(input, mode: .inference)
  #expect(logits.shape == [1, 1, 256, 256])
  let probabilities = logits.scalars.map(sigmoid)
  let expected = try mediaPipeOutput(photo)
  let differences = zip(probabilities, expected).map { abs($0 - $1) }
  let largest = differences.max() ?? .infinity
  let mean = differences.reduce(0.0) { $0 + Double($1) } / Double(differences.count)
  print("person \(photo): max abs diff \(largest), mean \(mean)")
  #expect(largest <= maxTolerance, "\(photo): max abs difference \(largest)")
  #expect(mean <= meanTolerance, "\(photo): mean abs difference \(mean)")
}
