// End to end through the built `segment` binary: `--box` finds a generated disc with no model,
// `segment refine` snaps a coarse mask to the photo, and bad boxes, hints and masks give one
// line on stderr, a non-zero exit and no file.
import Foundation
import NeuronaImage
import NeuronaTestSupport
import Testing

/// A 160×120 RGB picture: a disc (red left half, yellow right half) of radius 40 at (80, 60)
/// on green, and its mask.
private func discPhoto() throws -> (image: Image, truth: [Bool]) {
  var pixels = [UInt8](repeating: 0, count: 160 * 120 * 3)
  var truth = [Bool](repeating: false, count: 160 * 120)
  for y in 0..<120 {
    for x in 0..<160 {
      let (dx, dy) = (Double(x) + 0.5 - 80, Double(y) + 0.5 - 60)
      let inside = dx * dx + dy * dy <= 40 * 40
      let colour: [UInt8] = inside ? (dx < 0 ? [210, 40, 40] : [235, 215, 60]) : [40, 130, 60]
      for c in 0..<3 { pixels[(y * 160 + x) * 3 + c] = colour[c] &+ UInt8((x * 7 + y * 3) % 9) }
      truth[y * 160 + x] = inside
    }
  }
  return (try Image(width: 160, height: 120, channels: 3, pixels: pixels), truth)
}

private func iou(_ mask: Image, _ truth: [Bool]) -> Double {
  let found = mask.pixels.map { $0 >= 128 }
  let both = zip(found, truth).filter { $0 && $1 }.count
  let either = zip(found, truth).filter { $0 || $1 }.count
  return Double(both) / Double(max(either, 1))
}

@Test func segmentBoxFindsTheDiscWithoutAModel() throws {
  let root = try makeTemporaryFolder("box")
  let (photo, truth) = try discPhoto()
  try photo.writePNG(to: "\(root)/disc.png")
  // No model is read: an empty model folder proves it.
  let environment = ["NEURONA_MODELS": root]
  let run = try runProduct(
    "segment", ["\(root)/disc.png", "--box", "30,10,100,100"], environment: environment)
  #expect(run.status == 0, "\(run.standardError)")
  let mask = try Image.read(contentsOf: "\(root)/disc.mask.png")
  #expect(mask.width == 160 && mask.height == 120 && mask.channels == 1)
  #expect(iou(mask, truth) >= 0.98, "IoU \(iou(mask, truth))")

  // Two boxes, each around half of the disc: the union is the disc again.
  let halves = try runProduct(
    "segment",
    [
      "\(root)/disc.png", "--box", "30,10,51,100", "--box", "80,10,50,100", "-o",
      "\(root)/halves.png",
    ], environment: environment)
  #expect(halves.status == 0, "\(halves.standardError)")
  #expect(iou(try Image.read(contentsOf: "\(root)/halves.png"), truth) >= 0.95)

  // Cut-out and soft alpha beside the mask; the mask is not replaced without --force.
  let more = try runProduct(
    "segment",
    ["\(root)/disc.png", "--box", "30,10,100,100", "--cutout", "--soft", "-o", "\(root)/out"],
    environment: environment)
  #expect(more.status == 0, "\(more.standardError)")
  #expect(try Image.read(contentsOf: "\(root)/out/disc.cutout.png").channels == 4)
  #expect(try Image.read(contentsOf: "\(root)/out/disc.soft.png").channels == 1)
  let again = try runProduct(
    "segment", ["\(root)/disc.png", "--box", "30,10,100,100"], environment: environment)
  #expect(again.status != 0)
  #expect(again.standardError.contains("already exists"))
}

@Test func segmentBoxAndRefineRejectBadInputInOneLine() throws {
  let root = try makeTemporaryFolder("box-bad")
  let (photo, _) = try discPhoto()
  try photo.writePNG(to: "\(root)/disc.png")
  try Image(width: 80, height: 60, channels: 1, filledWith: [128]).writePNG(
    to: "\(root)/small-hint.png")
  try Data("not a picture".utf8).write(to: URL(fileURLWithPath: "\(root)/mask.png"))
  let cases: [(arguments: [String], says: String)] = [
    (["--box", "100,50,100,100"], "not inside the 160×120 picture"),
    (["--box", "10,10,0,20"], "must be positive"),
    (["--box", "10,10,-5,20"], "must be positive"),
    (["--box=-1,10,20,20"], "outside the picture"),
    (["--box", "10,10,20"], "expected X,Y,W,H"),
    (["--box", "a,b,c,d"], "expected X,Y,W,H"),
    (["--box", "10,10,50,50", "--hint", "\(root)/small-hint.png"], "must be the photo's size"),
    (["--box", "10,10,50,50", "--hint", "\(root)/mask.png"], "not a PNG or JPEG"),
  ]
  for (arguments, says) in cases {
    let run = try runProduct("segment", ["\(root)/disc.png"] + arguments + ["--cutout"])
    #expect(run.status != 0, "\(arguments)")
    #expect(run.standardError.contains(says), "\(arguments): \(run.standardError)")
    #expect(run.standardError.split(separator: "\n").count == 1, "\(run.standardError)")
    #expect(!FileManager.default.fileExists(atPath: "\(root)/disc.cutout.png"), "\(arguments)")
  }
  let refine = try runProduct(
    "segment", ["refine", "\(root)/disc.png", "\(root)/mask.png", "-o", "\(root)/r.png"])
  #expect(refine.status != 0)
  #expect(
    refine.standardError.contains("mask.png: not a PNG or JPEG file"), "\(refine.standardError)")
  #expect(refine.standardError.split(separator: "\n").count == 1, "\(refine.standardError)")
  #expect(!FileManager.default.fileExists(atPath: "\(root)/r.png"))
  // Nothing left behind: no temporary files either.
  let left = try FileManager.default.contentsOfDirectory(atPath: root).sorted()
  #expect(left == ["disc.png", "mask.png", "small-hint.png"], "\(left)")
}

@Test func segmentRefineSnapsACoarseMaskToThePhoto() throws {
  let root = try makeTemporaryFolder("refine")
  let (photo, truth) = try discPhoto()
  try photo.writePNG(to: "\(root)/disc.png")
  // The true mask shrunk 8× (20×15): upscaled plainly, its edge wanders by a few pixels.
  let truthImage = try Image(
    width: 160, height: 120, channels: 1, pixels: truth.map { $0 ? 255 : 0 })
  let coarse = try truthImage.resized(width: 20, height: 15)
  try coarse.writePNG(to: "\(root)/coarse.png")
  let plain = try coarse.resized(width: 160, height: 120)
  let run = try runProduct(
    "segment", ["refine", "\(root)/disc.png", "\(root)/coarse.png", "-o", "\(root)/fine.png"])
  #expect(run.status == 0, "\(run.standardError)")
  let fine = try Image.read(contentsOf: "\(root)/fine.png")
  #expect(fine.width == 160 && fine.height == 120)
  #expect(
    iou(fine, truth) >= iou(plain, truth) + 0.01, "\(iou(fine, truth)) vs \(iou(plain, truth))")
  #expect(iou(fine, truth) >= 0.98)
  // An existing output stays unless --force.
  let again = try runProduct(
    "segment", ["refine", "\(root)/disc.png", "\(root)/coarse.png", "-o", "\(root)/fine.png"])
  #expect(again.status != 0 && again.standardError.contains("already exists"))
  let forced = try runProduct(
    "segment",
    [
      "refine", "\(root)/disc.png", "\(root)/coarse.png", "-o", "\(root)/fine.png", "--force",
      "--soft",
    ])
  #expect(forced.status == 0, "\(forced.standardError)")
}
