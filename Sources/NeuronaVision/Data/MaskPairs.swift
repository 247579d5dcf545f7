// Pairing segmentation training data: `images/NAME.png|jpg` with `masks/NAME.png` (also
// `NAME_mask.png`, `NAME-mask.png`, `NAME.mask.png`). An image without a mask, or a mask
// of another size, is an error naming the file: silently training on half the data or on
// misaligned masks would be worse.
import Foundation
import NeuronaImage

/// One training image with its mask, decoded.
public struct MaskedImage {
  /// The picture, as decoded (grey, RGB or RGBA).
  public var image: Image
  /// One byte per pixel: 1 foreground (non-zero in the mask file), 0 background.
  public var mask: [UInt8]
  /// Where the pair came from (for messages).
  public var imagePath: String, maskPath: String

  /// The pair resized to `width`×`height` (aspect not kept): the picture bilinearly, the mask
  /// by its nearest pixel, so its values stay class ids.
  public func resized(width: Int, height: Int) throws -> MaskedImage {
    var copy = self
    copy.image = try image.resized(width: width, height: height)
    copy.mask = (0..<(width * height)).map { i in
      mask[
        min((i / width) * image.height / height, image.height - 1) * image.width
          + min((i % width) * image.width / width, image.width - 1)]
    }
    return copy
  }
}

/// Finds and loads image/mask pairs.
public enum MaskPairs {
  /// The mask file names tried for an image named `stem`, in order.
  static func candidateNames(for stem: String) -> [String] {
    [stem, "\(stem)_mask", "\(stem)-mask", "\(stem).mask"].map { $0 + ".png" }
  }

  /// Pairs every image under `imagesDirectory` with its mask in `masksDirectory`.
  /// - Throws: `VisionError` for a missing folder, an empty folder or an image without mask.
  public static func find(images imagesDirectory: String, masks masksDirectory: String) throws
    -> [(image: String, mask: String)]
  {
    for folder in [imagesDirectory, masksDirectory] {
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory),
        isDirectory.boolValue
      else { throw VisionError("\(folder): not a directory") }
    }
    let images = ImageFiles.collect([imagesDirectory]).images
    guard !images.isEmpty else { throw VisionError("\(imagesDirectory): no images found") }
    return try images.map { imagePath in
      let relative = String(imagePath.dropFirst(imagesDirectory.count)).trimmingCharacters(
        in: CharacterSet(charactersIn: "/"))
      let relativeFolder = (relative as NSString).deletingLastPathComponent
      let stem = ((relative as NSString).lastPathComponent as NSString).deletingPathExtension
      let folder = (masksDirectory as NSString).appendingPathComponent(relativeFolder)
      for name in candidateNames(for: stem) {
        let candidate = (folder as NSString).appendingPathComponent(name)
        if FileManager.default.fileExists(atPath: candidate) { return (imagePath, candidate) }
      }
      throw VisionError(
        "\(imagePath): no mask found (looked for \(candidateNames(for: stem).joined(separator: ", ")) in \(folder))"
      )
    }
  }

  /// Decodes a pair and checks that the sizes agree.
  public static func load(image imagePath: String, mask maskPath: String) throws -> MaskedImage {
    let image = try Image.read(contentsOf: imagePath)
    let maskImage = try Image.read(contentsOf: maskPath)
    guard maskImage.width == image.width, maskImage.height == image.height else {
      throw VisionError(
        "\(maskPath): mask is \(maskImage.width)×\(maskImage.height) but its image is "
          + "\(image.width)×\(image.height)")
    }
    return MaskedImage(
      image: image, mask: foreground(of: maskImage), imagePath: imagePath, maskPath: maskPath)
  }

  /// 1 where any channel of `mask` (alpha aside) is non-zero, else 0.
  public static func foreground(of mask: Image) -> [UInt8] {
    let channels = mask.channels
    let colourChannels = channels == 4 || channels == 2 ? channels - 1 : channels
    return (0..<(mask.width * mask.height)).map { i in
      (0..<colourChannels).contains { mask.pixels[i * channels + $0] != 0 } ? 1 : 0
    }
  }
}
