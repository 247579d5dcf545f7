// Where the picture is in a request body: the whole body, or the `file` field of a
// `multipart/form-data` body (RFC 7578), as an HTML form or `curl -F file=@photo.jpg` sends it.
// The part is found in place (a slice of the body, no copy).
import Foundation
import NIOCore

/// Extracting the uploaded picture from a request body.
enum UploadBody {
  /// The picture's bytes in `body`, given the request's `Content-Type`.
  /// - Throws: `HTTPFailure` (400): an empty body or picture, a multipart body without a
  ///   boundary or without a `file` field, or one that ends early.
  static func picture(in body: ByteBuffer, contentType: String?) throws -> ByteBuffer {
    guard body.readableBytes > 0 else { throw HTTPFailure.badRequest("empty request body") }
    guard let contentType, contentType.lowercased().hasPrefix("multipart/form-data") else {
      return body
    }
    guard let boundary = parameter("boundary", of: contentType), !boundary.isEmpty else {
      throw HTTPFailure.badRequest("multipart/form-data without a boundary")
    }
    let part = try filePart(in: body, boundary: Array(boundary.utf8))
    guard part.readableBytes > 0 else { throw HTTPFailure.badRequest("the file field is empty") }
    return part
  }

  /// `name=value` (or `name="value"`) from a header's parameters.
  static func parameter(_ name: String, of header: String) -> String? {
    for item in header.split(separator: ";").dropFirst() {
      let pair = item.split(separator: "=", maxSplits: 1).map {
        $0.trimmingCharacters(in: .whitespaces)
      }
      guard pair.count == 2, pair[0].lowercased() == name else { continue }
      return pair[1].hasPrefix("\"") && pair[1].hasSuffix("\"") && pair[1].count >= 2
        ? String(pair[1].dropFirst().dropLast()) : pair[1]
    }
    return nil
  }

  /// The content of the part named `file`.
  private static func filePart(in body: ByteBuffer, boundary: [UInt8]) throws -> ByteBuffer {
    let delimiter = Array("--".utf8) + boundary
    let bytes = body.readableBytesView
    let base = bytes.startIndex
    // The body starts with the first delimiter (a preamble before it is allowed).
    guard var cursor = find(delimiter, in: body, from: 0) else {
      throw HTTPFailure.badRequest("multipart body without its boundary")
    }
    while true {
      cursor += delimiter.count
      // "--" after a delimiter closes the body.
      if cursor + 2 <= bytes.count, bytes[base + cursor] == 0x2D, bytes[base + cursor + 1] == 0x2D {
        break
      }
      guard let headersEnd = find(Array("\r\n\r\n".utf8), in: body, from: cursor) else { break }
      let headers = String(decoding: bytes[(base + cursor)..<(base + headersEnd)], as: UTF8.self)
      let contentStart = headersEnd + 4
      guard let next = find(Array("\r\n".utf8) + delimiter, in: body, from: contentStart) else {
        throw HTTPFailure.badRequest("multipart body ends inside a part")
      }
      if isFileField(headers) {
        return body.getSlice(at: body.readerIndex + contentStart, length: next - contentStart)
          ?? ByteBuffer()
      }
      cursor = next + 2
    }
    throw HTTPFailure.badRequest("multipart/form-data without a `file` field")
  }

  /// Whether a part's headers name it `file`.
  private static func isFileField(_ headers: String) -> Bool {
    for line in headers.split(separator: "\r\n") {
      let text = String(line)
      guard text.lowercased().hasPrefix("content-disposition:") else { continue }
      return parameter("name", of: text) == "file"
    }
    return false
  }

  /// The offset (from the reader index) of `needle` in `body` at or after `start`: memchr
  /// finds each candidate first byte, memcmp checks the rest.
  private static func find(_ needle: [UInt8], in body: ByteBuffer, from start: Int) -> Int? {
    body.withUnsafeReadableBytes { haystack -> Int? in
      guard let base = haystack.baseAddress, let first = needle.first else { return nil }
      let last = haystack.count - needle.count
      var offset = start
      while offset <= last {
        guard let hit = memchr(base + offset, Int32(first), last - offset + 1) else { return nil }
        offset = base.distance(to: UnsafeRawPointer(hit))
        if needle.withUnsafeBytes({ memcmp(base + offset, $0.baseAddress!, needle.count) }) == 0 {
          return offset
        }
        offset += 1
      }
      return nil
    }
  }
}
