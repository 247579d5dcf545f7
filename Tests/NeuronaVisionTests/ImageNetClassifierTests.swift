// The shipped photo classifier (Models/imagenet.safetensors, EfficientNet-Lite0 imported from
// the PyTorch port) against that PyTorch reference: the same logits on the reference's exact
// inputs, and our pre-processing (shorter side 256, centre crop 224) giving those inputs from
// the photos. Fixtures: Fixtures/imagenet/README.md.
import Foundation
import Neurona
import NeuronaImage
import NeuronaTestSupport
import NeuronaVision
import Testing

/// Fixtures/imagenet/.
private let imagenetFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .appendingPathComponent("Fixtures/imagenet")

/// The four reference photos, by the name of their fixtures.
private let referencePhotos = ["chelsea", "coffee", "rocket", "astronaut"]

private func loadImageNetClassifier() throws -> Classifier {
  try Classifier.load(repositoryRoot.appendingPathComponent("Models/imagenet.safetensors").path)
}

/// The reference logits of a fixture photo.
private func referenceLogits(_ name: String) throws -> [Float] {
  let data = try Data(
    contentsOf: imagenetFixtures.appendingPathComponent("\(name)_logits.f32"))
  return data.withUnsafeBytes { raw in
    (0..<(data.count / 4)).map {
      Float(
        bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))
      )
    }
  }
}

/// The `k` largest entries' indices, largest first.
private func topIndices(_ values: [Float], _ k: Int) -> [Int] {
  Array(values.indices.sorted { values[$0] > values[$1] }.prefix(k))
}

@Test func imagenetClassifierIsEfficientNetLite0() throws {
  let classifier = try loadImageNetClassifier()
  #expect(classifier.description.architecture == .efficientNetLite0)
  #expect(classifier.description.classNames.count == 1000)
  #expect(classifier.description.classNames[285] == "Egyptian cat")
  // The published parameter count of EfficientNet-Lite0 (BatchNorm statistics not counted).
  #expect(classifier.network.parameterCount == 4_652_008)
}

@Test(arguments: referencePhotos)
func imagenetLogitsMatchTheReference(photo: String) throws {
  let classifier = try loadImageNetClassifier()
  let image = try Image.read(
    contentsOf: imagenetFixtures.appendingPathComponent("\(photo)_input224.png").path)
  var input = Tensor(shape: [1, 3, 224, 224], scalars: try image.floatPlanes())
  classifier.normalize(&input)
  let logits = classifier.network.forward(input, mode: .inference).scalars
  let expected = try referenceLogits(photo)
  #expect(logits.count == 1000 && expected.count == 1000)
  let largest = zip(logits, expected).map { abs($0 - $1) }.max() ?? .infinity
  print("imagenet \(photo): max abs logit difference \(largest)")
  #expect(largest <= 1e-3, "\(photo): max abs logit difference \(largest)")
  #expect(topIndices(logits, 5) == topIndices(expected, 5))
}

@Test(arguments: referencePhotos)
func imagenetPreprocessingGivesTheReferenceInput(photo: String) throws {
  let classifier = try loadImageNetClassifier()
  let file = try #require(
    ["png", "jpg"].map { repositoryRoot.appendingPathComponent("SampleImages/\(photo).\($0)").path }
      .first { FileManager.default.fileExists(atPath: $0) })
  let ours = try ImageInput.planes(file, for: classifier.description)
  let reference = try Image.read(
    contentsOf: imagenetFixtures.appendingPathComponent("\(photo)_input224.png").path
  ).floatPlanes()
  #expect(ours.count == reference.count)
  // Pillow's fixed-point resampling, reproduced: at most one 8-bit level anywhere.
  let largest = zip(ours, reference).map { abs($0 - $1) }.max() ?? .infinity
  #expect(largest <= 1.5 / 255, "\(photo): \(largest * 255) levels")
}

@Test func centreCropKeepsTheMiddleOfTheShorterSide() throws {
  // 40×20: shorter side 20 → 16 means 32×16, then the central 16×16 (columns 8..<24).
  var pixels = [UInt8](repeating: 0, count: 40 * 20)
  for y in 0..<20 { for x in 0..<40 { pixels[y * 40 + x] = UInt8(x * 6) } }
  let image = try Image(width: 40, height: 20, channels: 1, pixels: pixels)
  var description = ClassifierDescription.fashionNet()
  (description.height, description.width, description.resizeShorterSide) = (16, 16, 16)
  let cropped = try ImageInput.prepare(image, for: description)
  #expect(cropped.width == 16 && cropped.height == 16)
  let region = ImageInput.visibleRegion(of: image, for: description)
  #expect(region.x == 10 && region.y == 0 && region.width == 20 && region.height == 20)
  // The crop's left column came from around source column 10·(40/32) … a ramp, increasing.
  let row = Array(cropped.pixels[0..<16])
  #expect(row == row.sorted() && row.first! > 50 && row.last! < 200)
}

/// Grad-CAM through EfficientNet's BatchNorms (run as at inference below the head): the
/// evidence for "espresso" peaks in the cup, in the upper middle of the coffee photo.
@Test func imagenetExplanationPeaksOnTheEspresso() throws {
  let classifier = try loadImageNetClassifier()
  let image = try Image.read(
    contentsOf: imagenetFixtures.appendingPathComponent("coffee_input224.png").path)
  var input = Tensor(shape: [1, 3, 224, 224], scalars: try image.floatPlanes())
  classifier.normalize(&input)
  let explanation = try classifier.explain(input)
  #expect(explanation.method == .gradCAM)
  #expect(classifier.description.classNames[explanation.classIndex] == "espresso")
  let peak = explanation.peak
  #expect((56...168).contains(peak.x) && (22...134).contains(peak.y), "peak at \(peak)")
}
