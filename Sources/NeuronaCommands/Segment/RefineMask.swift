// `segment refine PHOTO MASK`: a coarse or low-resolution mask (any size) snapped to the
// photo's edges at full resolution (EdgeRefinement), written as a binary mask, a soft alpha or
// a cut-out.
import ArgumentParser
import Foundation
import NeuronaImage
import NeuronaVision

struct RefineMask: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "refine",
    abstract: "Snap a coarse mask (any size) to a photo's edges at full resolution.")

  @Argument(help: "The photo (PNG or JPEG).")
  var photo: String

  @Argument(help: "The coarse mask: grey (255 = object), or RGBA whose alpha is the mask.")
  var mask: String

  @Option(
    name: .shortAndLong,
    help: "Output file or folder (default: NAME.refined.png beside the photo).")
  var output: String?

  @Option(help: "Alpha above which a pixel is object in the binary mask.")
  var threshold: Float = 0.5

  @Flag(help: "Write the soft alpha as grey levels instead of a binary mask.")
  var soft = false

  @Flag(help: "Write the photo with the refined alpha as its transparency (RGBA).")
  var cutout = false

  @Flag(help: "Replace an existing output file.")
  var force = false

  @OptionGroup var compute: ComputeOptions

  func run() throws {
    compute.apply()
    guard threshold > 0, threshold < 1 else { throw VisionError("--threshold must be in (0, 1)") }
    guard !(soft && cutout) else {
      throw VisionError("--soft and --cutout write one file: pick one")
    }
    let destination = destinationPath()
    if !force, FileManager.default.fileExists(atPath: destination) {
      throw VisionError("\(destination): already exists (use --force to replace it)")
    }
    let image = try Image.read(contentsOf: photo)
    let coarse = try Image.read(contentsOf: mask)
    let levels: [UInt8]
    if coarse.channels == 4 {
      levels = stride(from: 3, to: coarse.pixels.count, by: 4).map { coarse.pixels[$0] }
    } else {
      levels = try coarse.converted(toChannels: 1).pixels
    }
    let map = try FloatMap(
      width: coarse.width, height: coarse.height, values: levels.map { Float($0) / 255 })
    let alpha = try EdgeRefinement.refine(map, photo: image)
    let picture: Image
    if soft {
      picture = MaskRendering.soft(alpha)
    } else if cutout {
      picture = try MaskRendering.cutout(image, mask: MaskRendering.soft(alpha))
    } else {
      picture = MaskRendering.mask(alpha, threshold: threshold)
    }
    let folder = (destination as NSString).deletingLastPathComponent
    if !folder.isEmpty {
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }
    try picture.writePNG(to: destination, overwrite: force)
  }

  /// `-o FILE.png`, `-o FOLDER/NAME.refined.png`, or NAME.refined.png beside the photo.
  func destinationPath() -> String {
    let name =
      ((photo as NSString).lastPathComponent as NSString).deletingPathExtension
      + ".refined.png"
    guard let output else {
      return ((photo as NSString).deletingLastPathComponent as NSString)
        .appendingPathComponent(name)
    }
    var isDirectory: ObjCBool = false
    let exists = FileManager.default.fileExists(atPath: output, isDirectory: &isDirectory)
    if (exists && isDirectory.boolValue) || !output.lowercased().hasSuffix(".png") {
      return (output as NSString).appendingPathComponent(name)
    }
    return output
  }
}
