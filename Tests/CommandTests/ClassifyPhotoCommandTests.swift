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

@Test func classifyTrainFromImageNetLearnsNewClasses() throws {
  let root = try makeTemporaryFolder("transfer")
  try writeStripesFolder("\(root)/train", perClass: 20, seed: 11)
  try writeStripesFolder("\(root)/photos", perClass: 6, seed: 12)
  // Frozen backbone: features once, then the new last layer alone.
  let model = "\(root)/stripes.safetensors"
  let frozen = try runProduct(
    "classify",
    [
      "train", "\(root)/train", "--from", "imagenet", "--freeze-backbone", "--epochs", "30",
      "--lr", "0.01", "--seed", "1", "--validation-split", "0.2", "--output", model,
    ])
  #expect(frozen.status == 0, "\(frozen.standardError)")
  #expect(frozen.standardError.contains("backbone frozen"))
  let labels = try runProduct("classify", ["\(root)/photos", "--model", model, "--format", "csv"])
  #expect(labels.status == 0, "\(labels.standardError)")
  let rows = labels.standardOutput.split(separator: "\n").dropFirst()
  let right = rows.filter { row in
    let fields = row.split(separator: ",")
    return fields.count >= 2 && fields[0].contains("/\(fields[1])/")
  }
  #expect(rows.count == 12)
  #expect(right.count >= 10, "\(labels.standardOutput)")

  // Everything trains (one short epoch: the backbone's gradients at 224×224 are the slow part).
  let tuned = try runProduct(
    "classify",
    [
      "train", "\(root)/train", "--from", "imagenet", "--epochs", "1", "--batch-size", "8",
      "--validation-split", "0", "--output", "\(root)/tuned.safetensors",
    ])
  #expect(tuned.status == 0, "\(tuned.standardError)")
  #expect(tuned.standardError.contains("backbone at 0.1"))
  let check = try runProduct(
    "classify", ["\(root)/photos", "--model", "\(root)/tuned.safetensors", "--top-k", "2"])
  #expect(check.status == 0, "\(check.standardError)")

  let refused = try runProduct(
    "classify",
    ["train", "\(root)/train", "--freeze-backbone", "--output", "\(root)/x.safetensors"])
  #expect(refused.status != 0 && refused.standardError.contains("needs --from"))
}

/// The ten Fashion-MNIST classes, in label order (the model's output order).
private let fashionClasses = [
  "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
  "Ankle boot",
]

/// One picture's answer with every class (`--top-k 10`).
private struct Ranked: Decodable {
  struct Entry: Decodable {
    var label: String
    var confidence: Double
  }
  var path: String
  var topK: [Entry]

  enum CodingKeys: String, CodingKey {
    case path
    case topK = "top_k"
  }
}

@Test func aStateDictWrittenByPyTorchImportsAndAnswersAsPyTorch() throws {
  let fixtures = root.appendingPathComponent("Tests/CommandTests/Fixtures")
  let folder = try makeTemporaryFolder("torch-import")
  let model = "\(folder)/small.safetensors"
  let imported = try runProduct(
    "classify",
    [
      "import", fixtures.appendingPathComponent("torch-fashionnet-small.safetensors").path,
      "--arch", "cnn", "--width", "4", "--depth", "2", "--size", "28", "--channels", "1",
      "--classes", fashionClasses.joined(separator: ","), "--mean", "0.2860", "--std", "0.3530",
      "-o", model,
    ])
  #expect(imported.status == 0, "\(imported.standardError)")
  let result = try runProduct(
    "classify",
    [
      root.appendingPathComponent("SampleImages/fashion").path, "--model", model, "--format",
      "json", "--top-k", "10",
    ])
  #expect(result.status == 0, "\(result.standardError)")
  let answers = try JSONDecoder().decode([Ranked].self, from: Data(result.standardOutput.utf8))
  let expected = try JSONDecoder().decode(
    [String: [Double]].self,
    from: Data(contentsOf: fixtures.appendingPathComponent("torch-fashionnet-small.json")))
  #expect(answers.count == expected.count && answers.count == 10)
  for answer in answers {
    let name = (answer.path as NSString).lastPathComponent
    let reference = try #require(expected[name])
    for entry in answer.topK {
      let index = try #require(fashionClasses.firstIndex(of: entry.label))
      #expect(abs(entry.confidence - reference[index]) < 1e-4, "\(name) \(entry.label)")
    }
  }
  // A wrong architecture is refused, naming the first tensor that does not fit.
  let wrong = try runProduct(
    "classify",
    [
      "import", fixtures.appendingPathComponent("torch-fashionnet-small.safetensors").path,
      "--arch", "cnn", "--width", "8", "-o", "\(folder)/wrong.safetensors",
    ])
  #expect(wrong.status != 0 && wrong.standardError.contains("conv1.weight"))
}
