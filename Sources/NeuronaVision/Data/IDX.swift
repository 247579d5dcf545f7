// The IDX format of (Fashion-)MNIST: a magic number (0, 0, type, rank), the dimensions as
// big-endian UInt32, then the data. Files may be gzip'd, as the Debian package
// `dataset-fashion-mnist` ships them; zlib reads both kinds transparently.
import CZlib
import Foundation
import Neurona

/// An IDX array of unsigned bytes: images `[count, rows, columns]` or labels `[count]`.
public struct IDXFile {
  /// The dimensions, outermost first.
  public var shape: [Int]
  /// The bytes in row-major order.
  public var bytes: [UInt8]

  /// Refuses files whose dimensions claim more than this many elements.
  public static let maximumElements = 1 << 31

  /// Reads an IDX file of unsigned bytes (type 0x08), gzip'd or not.
  public static func read(contentsOf path: String) throws -> IDXFile {
    guard let file = gzopen(path, "rb") else {
      throw ModelFileError("\(path): cannot open the IDX file")
    }
    defer { gzclose(file) }
    var header = [UInt8](repeating: 0, count: 4)
    guard gzread(file, &header, 4) == 4, header[0] == 0, header[1] == 0 else {
      throw ModelFileError("\(path): not an IDX file (bad magic number)")
    }
    guard header[2] == 0x08 else {
      throw ModelFileError(
        "\(path): IDX element type 0x\(String(header[2], radix: 16)) is not unsigned bytes")
    }
    let rank = Int(header[3])
    guard (1...4).contains(rank) else {
      throw ModelFileError("\(path): IDX rank \(rank) unsupported")
    }
    var dimensionBytes = [UInt8](repeating: 0, count: 4 * rank)
    guard gzread(file, &dimensionBytes, UInt32(4 * rank)) == Int32(4 * rank) else {
      throw ModelFileError("\(path): truncated IDX header")
    }
    let shape = (0..<rank).map { d in
      dimensionBytes[(4 * d)..<(4 * d + 4)].reduce(0) { $0 << 8 | Int($1) }
    }
    var count = 1
    for dimension in shape {
      let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
      guard !overflow, product <= maximumElements else {
        throw ModelFileError("\(path): IDX dimensions \(shape) are too large")
      }
      count = product
    }
    // The buffer grows with the data actually read, so a tiny file whose header claims
    // two billion elements costs one chunk, not 2 GB, before it is found truncated.
    var bytes: [UInt8] = []
    bytes.reserveCapacity(min(count, 1 << 20))
    var chunk = [UInt8](repeating: 0, count: min(count, 1 << 20))
    while bytes.count < count {
      let wanted = min(count - bytes.count, chunk.count)
      let read = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32(wanted)) }
      guard read > 0 else { throw ModelFileError("\(path): truncated IDX data") }
      bytes.append(contentsOf: chunk[0..<Int(read)])
    }
    return IDXFile(shape: shape, bytes: bytes)
  }
}

/// The Fashion-MNIST files, as the Debian package `dataset-fashion-mnist` installs them.
public enum FashionMNIST {
  /// Where the Debian package puts the files.
  public static let defaultDirectory = "/usr/share/datasets/fashion-mnist"
  /// The ten classes, in label order.
  public static let classNames = [
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
  ]

  /// Which half of the dataset.
  public enum Split: String, Sendable {
    case train
    case test
  }

  /// Whether `directory` holds the Fashion-MNIST IDX files.
  public static func isDataset(_ directory: String) -> Bool {
    FileManager.default.fileExists(atPath: path(directory, .train, images: true))
  }

  /// Images as `[count, 1, 28, 28]` scaled to [0, 1] and labels `[count]`.
  public static func load(_ split: Split, directory: String = defaultDirectory) throws
    -> (images: Tensor, labels: Tensor)
  {
    let images = try IDXFile.read(contentsOf: path(directory, split, images: true))
    let labels = try IDXFile.read(contentsOf: path(directory, split, images: false))
    guard images.shape.count == 3, labels.shape.count == 1, images.shape[0] == labels.shape[0]
    else { throw ModelFileError("\(directory): image and label files do not match") }
    let (count, rows, columns) = (images.shape[0], images.shape[1], images.shape[2])
    return (
      Tensor(shape: [count, 1, rows, columns], scalars: images.bytes.map { Float($0) / 255 }),
      Tensor(shape: [count], scalars: labels.bytes.map { Float($0) })
    )
  }

  private static func path(_ directory: String, _ split: Split, images: Bool) -> String {
    let prefix = split == .train ? "train" : "t10k"
    let kind = images ? "images-idx3" : "labels-idx1"
    let plain = "\(directory)/\(prefix)-\(kind)-ubyte"
    return FileManager.default.fileExists(atPath: plain) ? plain : plain + ".gz"
  }
}
