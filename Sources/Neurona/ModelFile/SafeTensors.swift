// The safetensors format: an 8-byte little-endian header length, a JSON header naming each
// tensor's dtype, shape and byte range, then the raw little-endian data. Readable by
// PyTorch, NumPy and the `safetensors` Python package. Writes F32; reads F32, F16, BF16
// and F64. Every offset and size is checked before it is used, so a corrupt or truncated
// file is an error, never a crash.
import Foundation

/// A failure to read or write a model file, with a message a CLI can print as is.
public struct ModelFileError: Error, CustomStringConvertible, Equatable {
  public var description: String
  /// An error whose message is `description`.
  public init(_ description: String) { self.description = description }
}

/// The contents of one safetensors file: named tensors plus string metadata.
public struct SafeTensors {
  /// The tensors by name.
  public var tensors: [String: Tensor]
  /// The `__metadata__` entries.
  public var metadata: [String: String]

  /// A file's worth of tensors and metadata.
  public init(tensors: [String: Tensor] = [:], metadata: [String: String] = [:]) {
    self.tensors = tensors
    self.metadata = metadata
  }

  /// Refuses headers larger than this (the format's own reference limit is 100 MB).
  static let maximumHeaderSize = 100_000_000

  /// Reads the file at `path`.
  public static func read(contentsOf path: String) throws -> SafeTensors {
    let data = try ModelFileIO.read(path)
    do {
      return try decode(data)
    } catch let error as ModelFileError {
      throw ModelFileError("\(path): \(error.description)")
    }
  }

  /// Parses safetensors bytes.
  public static func decode(_ data: Data) throws -> SafeTensors {
    let bytes = [UInt8](data)
    guard bytes.count >= 8 else { throw ModelFileError("truncated model file (no header)") }
    let headerSize = bytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    guard headerSize >= 2, headerSize <= UInt64(min(maximumHeaderSize, bytes.count - 8)) else {
      throw ModelFileError("corrupt or truncated model file (header size \(headerSize))")
    }
    let dataStart = 8 + Int(headerSize)
    let headerObject = try? JSONSerialization.jsonObject(with: Data(bytes[8..<dataStart]))
    guard let header = headerObject as? [String: Any] else {
      throw ModelFileError("corrupt model file (header is not a JSON object)")
    }
    var file = SafeTensors()
    for (name, entry) in header {
      if name == "__metadata__" {
        guard let metadata = entry as? [String: String] else {
          throw ModelFileError("corrupt model file (__metadata__ must map strings to strings)")
        }
        file.metadata = metadata
        continue
      }
      file.tensors[name] = try decodeTensor(
        name: name, entry: entry, bytes: bytes, dataStart: dataStart)
    }
    return file
  }

  private static func decodeTensor(name: String, entry: Any, bytes: [UInt8], dataStart: Int)
    throws -> Tensor
  {
    guard let entry = entry as? [String: Any], let dtype = entry["dtype"] as? String,
      let shape = (entry["shape"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }),
      let offsets = (entry["data_offsets"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }),
      offsets.count == 2, shape.count == (entry["shape"] as? [Any])?.count
    else { throw ModelFileError("corrupt model file (bad entry for tensor \(name))") }
    guard shape.allSatisfy({ $0 >= 0 && $0 < 1 << 31 }) else {
      throw ModelFileError("corrupt model file (bad shape for tensor \(name))")
    }
    let (count, overflow) = shape.reduce((1, false)) { acc, d in
      let (p, o) = acc.0.multipliedReportingOverflow(by: d)
      return (p, acc.1 || o)
    }
    // Integers (BatchNorm's I64 `num_batches_tracked` in PyTorch state_dicts) load as floats.
    guard let width = ["F32": 4, "F16": 2, "BF16": 2, "F64": 8, "I64": 8, "I32": 4][dtype] else {
      throw ModelFileError(
        "tensor \(name) has dtype \(dtype); only F32, F16, BF16, F64, I64, I32 load")
    }
    let (start, end) = (offsets[0], offsets[1])
    // Every sum and product here can overflow on a crafted header: checked, never trapping.
    let (size, sizeOverflow) = count.multipliedReportingOverflow(by: width)
    guard !overflow, !sizeOverflow, start >= 0, end >= start, end - start == size,
      end <= bytes.count - dataStart
    else { throw ModelFileError("corrupt or truncated model file (tensor \(name))") }
    var scalars = [Float](repeating: 0, count: count)
    let base = dataStart + start
    for i in 0..<count {
      let at = base + i * width
      switch dtype {
      case "F32": scalars[i] = Float(bitPattern: littleEndian(bytes, at, 4).truncatingUInt32)
      case "F16": scalars[i] = Float(Float16(bitPattern: UInt16(littleEndian(bytes, at, 2))))
      case "BF16": scalars[i] = Float(bitPattern: UInt32(littleEndian(bytes, at, 2)) << 16)
      case "I64": scalars[i] = Float(Int64(bitPattern: littleEndian(bytes, at, 8)))
      case "I32": scalars[i] = Float(Int32(bitPattern: littleEndian(bytes, at, 4).truncatingUInt32))
      default: scalars[i] = Float(Double(bitPattern: littleEndian(bytes, at, 8)))
      }
    }
    return Tensor(shape: shape, scalars: scalars)
  }

  /// The file's bytes: tensors in name order as F32, header padded to 8 bytes.
  public func encoded() -> Data {
    var entries: [String] = []
    var offset = 0
    let names = tensors.keys.sorted()
    for name in names {
      let tensor = tensors[name]!
      let size = tensor.count * 4
      entries.append(
        "\(jsonString(name)):{\"dtype\":\"F32\",\"shape\":[\(tensor.shape.map(String.init).joined(separator: ","))],"
          + "\"data_offsets\":[\(offset),\(offset + size)]}")
      offset += size
    }
    if !metadata.isEmpty {
      let pairs = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }
      entries.insert("\"__metadata__\":{\(pairs.joined(separator: ","))}", at: 0)
    }
    var header = Array("{\(entries.joined(separator: ","))}".utf8)
    while header.count % 8 != 0 { header.append(UInt8(ascii: " ")) }
    var data = Data(capacity: 8 + header.count + offset)
    withUnsafeBytes(of: UInt64(header.count).littleEndian) { data.append(contentsOf: $0) }
    data.append(contentsOf: header)
    for name in names {
      tensors[name]!.withUnsafeBufferPointer { buffer in
        for value in buffer {
          withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) }
        }
      }
    }
    return data
  }

  /// Writes the file atomically (complete or not at all, see `ModelFileIO`); an existing
  /// file is replaced. A failure leaves no temporary file behind.
  public func write(to path: String) throws {
    try ModelFileIO.write(encoded(), to: path)
  }
}

private func littleEndian(_ bytes: [UInt8], _ at: Int, _ width: Int) -> UInt64 {
  var value: UInt64 = 0
  for i in (0..<width).reversed() { value = value << 8 | UInt64(bytes[at + i]) }
  return value
}

extension UInt64 {
  fileprivate var truncatingUInt32: UInt32 { UInt32(truncatingIfNeeded: self) }
}

/// A JSON string literal for `text` (quotes, backslashes and control characters escaped).
private func jsonString(_ text: String) -> String {
  var result = "\""
  for scalar in text.unicodeScalars {
    switch scalar {
    case "\"": result += "\\\""
    case "\\": result += "\\\\"
    case "\n": result += "\\n"
    case _ where scalar.value < 0x20: result += String(format: "\\u%04x", scalar.value)
    default: result.unicodeScalars.append(scalar)
    }
  }
  return result + "\""
}
