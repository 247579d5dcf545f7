// Reading the constant tensors of a TensorFlow Lite model file, enough to import a model's
// weights: the FlatBuffer is walked directly (no generated code, no dependency). Only what an
// import needs is read: subgraph 0's tensors (name, shape, type, buffer) and the buffers' bytes;
// FLOAT32 and FLOAT16 constants become Float arrays. Operators are not read: the architecture
// is rebuilt in Swift and checked against the file by names and shapes.
// Format: FlatBuffers (flatbuffers.dev/internals), TFLite schema v3 (tensorflow/lite/schema/
// schema.fbs): Model{version 0, operator_codes 1, subgraphs 2, description 3, buffers 4};
// SubGraph{tensors 0}; Tensor{shape 0, type 1, buffer 2, name 3}; Buffer{data 0, offset 1, size 2}.
import Foundation
import Neurona

/// A model file's constant tensors, by name.
public struct TFLiteFile {
  /// A constant tensor: TFLite's shape (NHWC-style layouts) and its values widened to Float.
  public struct Constant: Equatable, Sendable {
    public var shape: [Int]
    public var values: [Float]
  }

  /// FLOAT32 and FLOAT16 constants of subgraph 0 under their TFLite names.
  public var constants: [String: Constant]
  /// The model's description string (e.g. the converter's note).
  public var description: String

  /// Reads `path`.
  /// - Throws: `ModelFileError` when it is not a readable TFLite FlatBuffer.
  public static func read(contentsOf path: String) throws -> TFLiteFile {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ModelFileError("\(path): cannot read the file")
    }
    do {
      return try TFLiteFile(data: data)
    } catch let error as ModelFileError {
      throw ModelFileError("\(path): \(error.description)")
    }
  }

  /// Parses a TFLite FlatBuffer held in memory.
  public init(data: Data) throws {
    let buffer = FlatBuffer(bytes: [UInt8](data))
    guard data.count >= 8, String(decoding: buffer.bytes[4..<8], as: UTF8.self) == "TFL3" else {
      throw ModelFileError("not a TensorFlow Lite model (no TFL3 identifier)")
    }
    let model = try buffer.table(at: try buffer.offset(at: 0))
    description = try model.string(3) ?? ""
    let subgraphs = try model.tables(2)
    guard let subgraph = subgraphs.first else { throw ModelFileError("the model has no subgraph") }
    let buffers = try model.tables(4)
    var constants: [String: Constant] = [:]
    for tensor in try subgraph.tables(0) {
      guard let name = try tensor.string(3) else { continue }
      let type = try tensor.scalar(1, UInt8.self) ?? 0
      let index = Int(try tensor.scalar(2, UInt32.self) ?? 0)
      guard type == 0 || type == 1, index > 0, index < buffers.count,
        let bytes = try buffers[index].byteVector(0), !bytes.isEmpty
      else { continue }  // activations, integer constants and empty buffers
      let shape = try tensor.int32Vector(0).map(Int.init)
      let width = type == 0 ? 4 : 2
      // The element count, refused if a dimension is negative or the product overflows (a
      // crafted shape; found by the TFLite fuzz target).
      var count: Int? = 1
      for dimension in shape {
        guard let sofar = count, dimension >= 0 else {
          count = nil
          break
        }
        let (product, overflow) = sofar.multipliedReportingOverflow(by: dimension)
        count = overflow ? nil : product
      }
      guard let count, bytes.count % width == 0, bytes.count / width == count else {
        throw ModelFileError("tensor \(name): \(bytes.count) bytes for shape \(shape)")
      }
      let values = (0..<count).map { i -> Float in
        let at = bytes.lowerBound + i * width
        if width == 2 {
          return Float(
            Float16(bitPattern: UInt16(buffer.bytes[at]) | UInt16(buffer.bytes[at + 1]) << 8))
        }
        var bits: UInt32 = 0
        for k in 0..<4 { bits |= UInt32(buffer.bytes[at + k]) << (8 * k) }
        return Float(bitPattern: bits)
      }
      constants[name] = Constant(shape: shape, values: values)
    }
    self.constants = constants
  }
}

/// Bounds-checked reads of a FlatBuffer: little-endian scalars, tables through their vtables,
/// vectors and strings through relative offsets.
struct FlatBuffer {
  let bytes: [UInt8]

  func integer<T: FixedWidthInteger>(at position: Int, _ type: T.Type) throws -> T {
    let size = MemoryLayout<T>.size
    guard position >= 0, position + size <= bytes.count else {
      throw ModelFileError("truncated or corrupt FlatBuffer (read past the end)")
    }
    var value: T = 0
    for k in 0..<size { value |= T(truncatingIfNeeded: bytes[position + k]) << (8 * k) }
    return value
  }

  /// The position an unsigned offset stored at `position` points to.
  func offset(at position: Int) throws -> Int {
    position + Int(try integer(at: position, UInt32.self))
  }

  func table(at position: Int) throws -> Table {
    let vtable = position - Int(try integer(at: position, Int32.self))
    let vtableSize = Int(try integer(at: vtable, UInt16.self))
    guard vtableSize >= 4, vtableSize % 2 == 0 else {
      throw ModelFileError("corrupt FlatBuffer vtable")
    }
    return Table(buffer: self, position: position, vtable: vtable, fieldCount: (vtableSize - 4) / 2)
  }

  /// A vector's element count and the position of its first element.
  func vector(at position: Int) throws -> (count: Int, start: Int) {
    let count = Int(try integer(at: position, UInt32.self))
    guard position + 4 + count <= bytes.count else {
      throw ModelFileError("corrupt FlatBuffer vector")
    }
    return (count, position + 4)
  }

  /// A table of a FlatBuffer.
  struct Table {
    let buffer: FlatBuffer
    let position: Int, vtable: Int, fieldCount: Int

    /// The position of field `index`, or nil when the field is absent (default value).
    func field(_ index: Int) throws -> Int? {
      guard index < fieldCount else { return nil }
      let relative = Int(try buffer.integer(at: vtable + 4 + 2 * index, UInt16.self))
      return relative == 0 ? nil : position + relative
    }

    func scalar<T: FixedWidthInteger>(_ index: Int, _ type: T.Type) throws -> T? {
      try field(index).map { try buffer.integer(at: $0, T.self) }
    }

    func string(_ index: Int) throws -> String? {
      guard let at = try field(index) else { return nil }
      let (count, start) = try buffer.vector(at: try buffer.offset(at: at))
      return String(decoding: buffer.bytes[start..<(start + count)], as: UTF8.self)
    }

    func tables(_ index: Int) throws -> [Table] {
      guard let at = try field(index) else { return [] }
      let (count, start) = try buffer.vector(at: try buffer.offset(at: at))
      return try (0..<count).map { try buffer.table(at: try buffer.offset(at: start + 4 * $0)) }
    }

    func int32Vector(_ index: Int) throws -> [Int32] {
      guard let at = try field(index) else { return [] }
      let (count, start) = try buffer.vector(at: try buffer.offset(at: at))
      return try (0..<count).map { try buffer.integer(at: start + 4 * $0, Int32.self) }
    }

    /// The byte range of a `[ubyte]` field.
    func byteVector(_ index: Int) throws -> Range<Int>? {
      guard let at = try field(index) else { return nil }
      let (count, start) = try buffer.vector(at: try buffer.offset(at: at))
      return start..<(start + count)
    }
  }
}
