// End to end through the built `classify` binary: train a tiny model on a generated
// ImageFolder, label a folder with it, and check outputs and exit codes.
import Foundation
import NeuronaImage
import NeuronaTestSupport
import Testing

/// 16×16 grey pictures: class "horizontal" has horizontal stripes, "vertical" vertical ones,
/// each with a random phase and noise, so the classes are easy but not identical copies.
func writeStripesFolder(_ root: String, perClass: Int, seed: UInt64) throws {
  var state = seed
  func random() -> Int {
    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    return Int(state >> 33)
  }
  for (name, horizontal) in [("horizontal", true), ("vertical", false)] {
    let folder = "\(root)/\(name)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    for index in 0..<perClass {
      let phase = random() % 4
      var pixels = [UInt8](repeating: 0, count: 256)
      for y in 0..<16 {
        for x in 0..<16 {
          let stripe = ((horizontal ? y : x) + phase) / 2 % 2 == 0
          pixels[y * 16 + x] = UInt8(clamping: (stripe ? 200 : 40) + random() % 40 - 20)
        }
      }
      try Image(width: 16, height: 16, channels: 1, pixels: pixels)
        .writePNG(to: "\(folder)/\(index).png")
    }
  }
}

@Test func classifyTrainsOnAnImageFolderAndLabelsIt() throws {
  let root = try makeTemporaryFolder("classify")
  try writeStripesFolder("\(root)/train", perClass: 24, seed: 1)
  try writeStripesFolder("\(root)/photos", perClass: 6, seed: 2)
  let model = "\(root)/stripes.safetensors"
  let train = try runProduct(
    "classify",
    [
      "train", "\(root)/train", "--epochs", "12", "--batch-size", "8", "--lr", "0.003", "--size",
      "16",
      "--seed", "3", "--validation-split", "0.25", "--output", model,
    ])
  #expect(train.status == 0, "\(train.standardError)")
  #expect(train.standardOutput.contains("epoch 12/12"))
  #expect(FileManager.default.fileExists(atPath: model))
  #expect(!FileManager.default.fileExists(atPath: model + ".checkpoint"))
  // Beside the model: the curves (two charts, 1200×480) and the report page embedding them.
  let curves = try Image.read(contentsOf: "\(root)/stripes.curves.png")
  #expect(curves.width == 1200 && curves.height == 480)
  let page = try String(contentsOfFile: "\(root)/stripes.report.html", encoding: .utf8)
  #expect(page.contains("data:image/png;base64,"))
  #expect(page.contains("--validation-split 0.25"))
  #expect(page.contains("validation accuracy"))
  let epochRows = { (start: String) in page.components(separatedBy: start).count - 1 }
  #expect(
    epochRows("<tr><td>") == 11 && epochRows("<tr class=\"best\"><td>") == 1, "a row per epoch")

  // Training again onto the same file is refused without --force.
  let again = try runProduct(
    "classify", ["train", "\(root)/train", "--epochs", "1", "--output", model])
  #expect(again.status != 0)
  #expect(again.standardError.contains("already exists"))

  let labels = try runProduct("classify", ["\(root)/photos", "--model", model, "--format", "csv"])
  #expect(labels.status == 0, "\(labels.standardError)")
  let rows = labels.standardOutput.split(separator: "\n").map(String.init)
  #expect(rows.first == "path,label,confidence")
  #expect(rows.count == 13)
  for row in rows.dropFirst() {
    let fields = row.split(separator: ",").map(String.init)
    // Every picture labelled with the name of the folder it is in: 100 %.
    #expect(fields[0].contains("/\(fields[1])/"), "\(row)")
  }

  let json = try runProduct(
    "classify",
    ["\(root)/photos/vertical/0.png", "--model", model, "--format", "json", "--top-k", "2"])
  let records =
    try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [[String: Any]]
  #expect(records?.first?["label"] as? String == "vertical")
  #expect((records?.first?["top_k"] as? [Any])?.count == 2)

  let evaluation = try runProduct(
    "classify", ["evaluate", "\(root)/photos", "--model", model, "--format", "json"])
  let report =
    try JSONSerialization.jsonObject(with: Data(evaluation.standardOutput.utf8)) as? [String: Any]
  #expect(report?["accuracy"] as? Double == 1)
  #expect(report?["confusion_matrix"] as? [[Int]] == [[6, 0], [0, 6]])

  // --plot draws the matrix: both diagonal cells blue, both others white; an existing plot
  // is kept unless --force.
  let plotPath = "\(root)/matrix.png"
  let plotted = try runProduct(
    "classify", ["evaluate", "\(root)/photos", "--model", model, "--plot", plotPath])
  #expect(plotted.status == 0, "\(plotted.standardError)")
  let plot = try Image.read(contentsOf: plotPath)
  let diagonal = plot.pixels.indices.filter { $0 % 3 == 0 }.filter {
    (plot.pixels[$0], plot.pixels[$0 + 1], plot.pixels[$0 + 2]) == (0, 114, 178)
  }
  let errorCells = plot.pixels.indices.filter { $0 % 3 == 0 }.filter {
    plot.pixels[$0] > 200 && plot.pixels[$0 + 1] < 150 && plot.pixels[$0 + 2] < 100
  }
  #expect(diagonal.count > 2 * 40 * 40 && errorCells.isEmpty)
  let replotted = try runProduct(
    "classify", ["evaluate", "\(root)/photos", "--model", model, "--plot", plotPath])
  #expect(replotted.status != 0 && replotted.standardError.contains("already exists"))
}

@Test func classifyReportsBadInputInOneLineAndGoesOn() throws {
  let root = try makeTemporaryFolder("classify-bad")
  try writeStripesFolder("\(root)/train", perClass: 8, seed: 1)
  let model = "\(root)/m.safetensors"
  let train = try runProduct(
    "classify",
    [
      "train", "\(root)/train", "--epochs", "1", "--size", "16", "--output", model,
      "--validation-split", "0",
    ])
  #expect(train.status == 0, "\(train.standardError)")
  try Data("this is not a picture".utf8).write(
    to: URL(fileURLWithPath: "\(root)/train/vertical/broken.png"))
  let labels = try runProduct("classify", ["\(root)/train", "--model", model, "--format", "csv"])
  #expect(labels.status != 0)
  #expect(labels.standardError.contains("broken.png"))
  #expect(labels.standardError.split(separator: "\n").count == 1)
  #expect(labels.standardOutput.split(separator: "\n").count == 17)  // header + 16 good pictures

  let missing = try runProduct("classify", ["\(root)/nowhere.png", "--model", model])
  #expect(missing.status != 0)
  #expect(missing.standardError.contains("nowhere.png"))

  try Data("garbage".utf8).write(to: URL(fileURLWithPath: "\(root)/fake.safetensors"))
  let badModel = try runProduct(
    "classify", ["\(root)/train", "--model", "\(root)/fake.safetensors"])
  #expect(badModel.status != 0)
  #expect(badModel.standardError.contains("fake.safetensors"))

  let empty = try makeTemporaryFolder("classify-empty")
  let emptyTrain = try runProduct(
    "classify", ["train", empty, "--output", "\(root)/x.safetensors"])
  #expect(emptyTrain.status != 0)
  #expect(emptyTrain.standardError.contains("empty dataset"))
}
