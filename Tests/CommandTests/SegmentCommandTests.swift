// End to end through the built `segment` binary: train a tiny U-Net on generated pictures of
// bright discs, segment a picture of odd size, and check the files written and exit codes.
import Foundation
import NeuronaImage
import NeuronaTestSupport
import Testing

/// A grey picture of `width`×`height` with bright discs on a dark noisy background, and
/// its mask (255 inside the discs).
func discPicture(width: Int, height: Int, seed: UInt64) throws -> (image: Image, mask: Image) {
  var state = seed
  func random(_ n: Int) -> Int {
    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    return Int(state >> 33) % n
  }
  let discs = (0..<3).map { _ in (x: random(width), y: random(height), r: 3 + random(4)) }
  var pixels = [UInt8](repeating: 0, count: width * height)
  var mask = [UInt8](repeating: 0, count: width * height)
  for y in 0..<height {
    for x in 0..<width {
      let inside = discs.contains {
        ($0.x - x) * ($0.x - x) + ($0.y - y) * ($0.y - y) <= $0.r * $0.r
      }
      pixels[y * width + x] = UInt8((inside ? 190 : 40) + random(30))
      mask[y * width + x] = inside ? 255 : 0
    }
  }
  return (
    try Image(width: width, height: height, channels: 1, pixels: pixels),
    try Image(width: width, height: height, channels: 1, pixels: mask)
  )
}

@Test func segmentTrainsATinyUNetAndWritesMasksAtTheInputSize() throws {
  let root = try makeTemporaryFolder("segment")
  for folder in ["images", "masks", "photos"] {
    try FileManager.default.createDirectory(
      atPath: "\(root)/\(folder)", withIntermediateDirectories: true)
  }
  for index in 0..<6 {
    let (image, mask) = try discPicture(width: 32, height: 32, seed: UInt64(index + 1))
    try image.writePNG(to: "\(root)/images/disc\(index).png")
    try mask.writePNG(to: "\(root)/masks/disc\(index)_mask.png")
  }
  let model = "\(root)/discs.safetensors"
  let train = try runProduct(
    "segment",
    [
      "train", "--images", "\(root)/images", "--masks", "\(root)/masks", "--epochs", "12",
      "--batch-size", "4", "--lr", "0.01", "--size", "32", "--width", "4", "--depth", "2",
      "--steps-per-epoch", "8", "--seed", "1", "--validation-split", "0.34", "--output", model,
    ])
  #expect(train.status == 0, "\(train.standardError)")
  #expect(train.standardOutput.contains("validation IoU"))

  // A picture of odd, non-square size: the mask has exactly its size and only 0 and 255.
  let (photo, truth) = try discPicture(width: 37, height: 23, seed: 99)
  try photo.writePNG(to: "\(root)/photos/odd.png")
  let run = try runProduct("segment", ["\(root)/photos/odd.png", "--model", model])
  #expect(run.status == 0, "\(run.standardError)")
  let mask = try Image.read(contentsOf: "\(root)/photos/odd.mask.png")
  #expect(mask.width == 37 && mask.height == 23 && mask.channels == 1)
  #expect(Set(mask.pixels).isSubset(of: [0, 255]))
  let agree = zip(mask.pixels, truth.pixels).filter { $0 == $1 }.count
  #expect(Double(agree) / Double(mask.pixels.count) > 0.9)

  // The mask is not overwritten without --force; --cutout writes RGBA beside it.
  let again = try runProduct("segment", ["\(root)/photos/odd.png", "--model", model])
  #expect(again.status != 0)
  #expect(again.standardError.contains("already exists"))
  let cutout = try runProduct(
    "segment", ["\(root)/photos", "--model", model, "--cutout", "-o", "\(root)/out"])
  #expect(cutout.status == 0, "\(cutout.standardError)")
  #expect(try Image.read(contentsOf: "\(root)/out/odd.cutout.png").channels == 4)

  // A missing file and a corrupt file: one line each, non-zero exit, nothing written.
  let missing = try runProduct("segment", ["\(root)/photos/none.png", "--model", model])
  #expect(missing.status != 0)
  #expect(missing.standardError.contains("none.png"))
  try Data([0x89, 0x50, 0x4E, 0x47, 0, 1, 2]).write(
    to: URL(fileURLWithPath: "\(root)/photos/bad.png"))
  let corrupt = try runProduct("segment", ["\(root)/photos/bad.png", "--model", model])
  #expect(corrupt.status != 0)
  #expect(corrupt.standardError.split(separator: "\n").count == 1)
  #expect(!FileManager.default.fileExists(atPath: "\(root)/photos/bad.mask.png"))

  let evaluation = try runProduct(
    "segment",
    [
      "evaluate", "--images", "\(root)/images", "--masks", "\(root)/masks", "--model", model,
      "--format", "json",
    ])
  #expect(evaluation.status == 0, "\(evaluation.standardError)")
  let report =
    try JSONSerialization.jsonObject(with: Data(evaluation.standardOutput.utf8)) as? [String: Any]
  #expect((report?["iou"] as? Double ?? 0) > 0.5)
  #expect(report?["pixel_accuracy"] != nil && report?["dice"] != nil)
}

@Test func segmentPairingErrorsNameTheFile() throws {
  let root = try makeTemporaryFolder("segment-pairs")
  for folder in ["images", "masks"] {
    try FileManager.default.createDirectory(
      atPath: "\(root)/\(folder)", withIntermediateDirectories: true)
  }
  let (image, mask) = try discPicture(width: 16, height: 16, seed: 1)
  try image.writePNG(to: "\(root)/images/a.png")
  try image.writePNG(to: "\(root)/images/b.png")
  try mask.writePNG(to: "\(root)/masks/a-mask.png")
  let noMask = try runProduct(
    "segment",
    [
      "train", "--images", "\(root)/images", "--masks", "\(root)/masks", "--size", "16", "--output",
      "\(root)/m.safetensors",
    ])
  #expect(noMask.status != 0)
  #expect(noMask.standardError.contains("b.png: no mask found"))
  let (small, _) = try discPicture(width: 8, height: 8, seed: 2)
  try small.writePNG(to: "\(root)/masks/b.png")
  let wrongSize = try runProduct(
    "segment",
    [
      "train", "--images", "\(root)/images", "--masks", "\(root)/masks", "--size", "16", "--output",
      "\(root)/m.safetensors",
    ])
  #expect(wrongSize.status != 0)
  #expect(wrongSize.standardError.contains("b.png: mask is 8×8 but its image is 16×16"))
}
