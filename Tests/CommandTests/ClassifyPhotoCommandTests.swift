// End to end through the built `classify` binary with the shipped photo classifier: without
// --model it labels the sample photos as the PyTorch reference of EfficientNet-Lite0 does, and
// `classify import` turns a PyTorch state_dict into a model that labels as the original.
import Foundation
import NeuronaTestSupport
import Testing

/// The repository's root, from this file's path.
private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .deletingLastPathComponent().deletingLastPathComponent()

/// One picture's answer in `classify --format json`.
private struct Labelled: Decodable {
  var path: String
  var label: String
  var confidence: Double
}

/// The reference's top-1 class and probability for each sample photo
/// (efficientnet-lite0/reference_top5.json, from the PyTorch reference).
private let referenceTop1: [String: (label: String, probability: Double)] = [
  "chelsea.png": ("tiger cat", 0.3807), "coffee.png": ("espresso", 0.9569),
  "rocket.jpg": ("missile", 0.3829), "astronaut.png": ("bobsled", 0.1273),
]

@Test func classifyLabelsThePhotosAsTheReferenceDoes() throws {
  let photos = referenceTop1.keys.sorted().map {
    root.appendingPathComponent("SampleImages/\($0)").path
  }
  let result = try runProduct("classify", photos + ["--format", "json", "--top-k", "5"])
  #expect(result.status == 0, "\(result.standardError)")
  let answers = try JSONDecoder().decode([Labelled].self, from: Data(result.standardOutput.utf8))
  #expect(answers.count == 4)
  for answer in answers {
    let name = (answer.path as NSString).lastPathComponent
    let expected = try #require(referenceTop1[name])
    #expect(answer.label == expected.label, "\(name)")
    #expect(abs(answer.confidence - expected.probability) <= 0.01, "\(name): \(answer.confidence)")
  }
}

@Test func classifyImportMakesAModelThatLabelsAsTheOriginal() throws {
  let folder = try makeTemporaryFolder("import")
  let shipped = root.appendingPathComponent("Models/fashionnet.safetensors").path
  let imported = "\(folder)/fashion.safetensors"
  // The shipped file read as a bare state_dict: its metadata is not used, --arch and the
  // defaults (FashionNet's input format and classes) describe it.
  let result = try runProduct("classify", ["import", shipped, "--arch", "cnn", "-o", imported])
  #expect(result.status == 0, "\(result.standardError)")
  #expect(result.standardOutput.contains("imported 421642 parameters"))
  let again = try runProduct("classify", ["import", shipped, "-o", imported])
  #expect(again.status != 0 && again.standardError.contains("already exists"))
  let wrong = try runProduct(
    "classify", ["import", shipped, "--arch", "mlp", "-o", "\(folder)/mlp.safetensors"])
  #expect(wrong.status != 0 && wrong.standardError.contains("another architecture"))
  #expect(!FileManager.default.fileExists(atPath: "\(folder)/mlp.safetensors"))

  let pictures = root.appendingPathComponent("SampleImages/fashion").path
  let original = try runProduct("classify", [pictures, "--model", "fashionnet", "--format", "csv"])
  let copy = try runProduct("classify", [pictures, "--model", imported, "--format", "csv"])
  #expect(original.status == 0 && copy.status == 0)
  #expect(original.standardOutput == copy.standardOutput)
  #expect(original.standardOutput.split(separator: "\n").count > 2)
}
