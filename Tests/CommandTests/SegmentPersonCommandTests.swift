// End to end through the built `segment` binary with the shipped person model: the default
// model cuts the astronaut out as MediaPipe does, `segment import` reproduces the shipped file
// from MediaPipe's TFLite model, and `segment train --from person` fine-tunes it.
import Foundation
import NeuronaImage
import NeuronaTestSupport
import Testing

/// The repository's root, from this file's path.
private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .deletingLastPathComponent().deletingLastPathComponent()
private let fixtures = root.appendingPathComponent("Tests/NeuronaVisionTests/Fixtures/person")
/// MediaPipe's model file (Apache-2.0; Tests/CommandTests/Fixtures/README.md).
private let tflite = root.appendingPathComponent(
  "Tests/CommandTests/Fixtures/selfie_segmentation.tflite"
).path

/// Intersection over union of two 8-bit masks (non-zero = foreground).
private func iou(_ a: Image, _ b: Image) -> Double {
  let pairs = zip(a.pixels, b.pixels)
  let both = pairs.filter { $0 != 0 && $1 != 0 }.count
  let either = pairs.filter { $0 != 0 || $1 != 0 }.count
  return Double(both) / Double(max(either, 1))
}

@Test func segmentCutsTheAstronautOutAsMediaPipeDoes() throws {
  let folder = try makeTemporaryFolder("person")
  let result = try runProduct(
    "segment",
    [root.appendingPathComponent("SampleImages/astronaut.png").path, "-o", folder, "--force"])
  #expect(result.status == 0, "\(result.standardError)")
  let mask = try Image.read(contentsOf: "\(folder)/astronaut.mask.png")
  let reference = try Image.read(
    contentsOf: fixtures.appendingPathComponent("astronaut_mediapipe_mask.png").path)
  #expect(mask.width == 512 && mask.height == 512 && mask.channels == 1)
  let overlap = iou(mask, reference)
  print("astronaut mask IoU vs MediaPipe: \(overlap)")
  #expect(overlap >= 0.98)
}

@Test func segmentImportReproducesTheShippedModel() throws {
  let folder = try makeTemporaryFolder("person-import")
  let output = "\(folder)/person.safetensors"
  let result = try runProduct("segment", ["import", tflite, "-o", output])
  #expect(result.status == 0, "\(result.standardError)")
  #expect(result.standardOutput.contains("imported 106401 parameters"))
  let shipped = try Data(contentsOf: root.appendingPathComponent("Models/person.safetensors"))
  #expect(try Data(contentsOf: URL(fileURLWithPath: output)) == shipped)
  // Not a TFLite file: a one-line error, no crash.
  let bad = try runProduct(
    "segment",
    ["import", root.appendingPathComponent("NOTICE").path, "-o", "\(folder)/x.safetensors"])
  #expect(bad.status != 0)
  #expect(bad.standardError.contains("not a TensorFlow Lite model"))
}

@Test func segmentTrainFineTunesThePersonModel() throws {
  let folder = try makeTemporaryFolder("person-train")
  for sub in ["images", "masks"] {
    try FileManager.default.createDirectory(
      atPath: "\(folder)/\(sub)", withIntermediateDirectories: true)
  }
  // Two pairs: the astronaut with MediaPipe's mask, the cat with an empty one.
  try FileManager.default.copyItem(
    atPath: fixtures.appendingPathComponent("astronaut_input256.png").path,
    toPath: "\(folder)/images/astronaut.png")
  try Image.read(contentsOf: fixtures.appendingPathComponent("astronaut_mediapipe_mask.png").path)
    .resized(width: 256, height: 256).writePNG(to: "\(folder)/masks/astronaut.png")
  try FileManager.default.copyItem(
    atPath: fixtures.appendingPathComponent("chelsea_input256.png").path,
    toPath: "\(folder)/images/chelsea.png")
  try Image(width: 256, height: 256, channels: 1, pixels: [UInt8](repeating: 0, count: 256 * 256))
    .writePNG(to: "\(folder)/masks/chelsea.png")
  let model = "\(folder)/tuned.safetensors"
  let train = try runProduct(
    "segment",
    [
      "train", "--from", "person", "--images", "\(folder)/images", "--masks", "\(folder)/masks",
      "--epochs", "1", "--steps-per-epoch", "2", "--batch-size", "2", "--validation-split", "0",
      "--seed", "1", "--output", model,
    ])
  #expect(train.status == 0, "\(train.standardError)")
  #expect(train.standardError.contains("training person (106401 parameters, from person)"))
  #expect(FileManager.default.fileExists(atPath: model))
  let segment = try runProduct(
    "segment", ["\(folder)/images/chelsea.png", "--model", model, "-o", "\(folder)/out.png"])
  #expect(segment.status == 0, "\(segment.standardError)")
  #expect(FileManager.default.fileExists(atPath: "\(folder)/out.png"))
}

/// `segment import` of a UNetSmall state_dict (here the shipped nuclei model read as a bare
/// state_dict: its metadata is not used, the options describe it) segments as the original.
@Test func segmentImportOfAStateDictSegmentsAsTheOriginal() throws {
  let folder = try makeTemporaryFolder("unet-import")
  let shipped = root.appendingPathComponent("Models/nuclei.safetensors").path
  let imported = "\(folder)/unet.safetensors"
  let result = try runProduct(
    "segment",
    ["import", shipped, "--width", "16", "--depth", "4", "--size", "128", "-o", imported])
  #expect(result.status == 0, "\(result.standardError)")
  let cells = root.appendingPathComponent("SampleImages/nuclei.png").path
  let a = try runProduct("segment", [cells, "--model", "nuclei", "-o", "\(folder)/a.png"])
  let b = try runProduct("segment", [cells, "--model", imported, "-o", "\(folder)/b.png"])
  #expect(a.status == 0 && b.status == 0, "\(a.standardError) \(b.standardError)")
  #expect(
    try Data(contentsOf: URL(fileURLWithPath: "\(folder)/a.png"))
      == Data(contentsOf: URL(fileURLWithPath: "\(folder)/b.png")))
  let wrong = try runProduct(
    "segment", ["import", shipped, "--width", "8", "-o", "\(folder)/wrong.safetensors"])
  #expect(wrong.status != 0 && wrong.standardError.contains("shape"))
}
