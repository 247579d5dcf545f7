// ImageError: the one error type of NeuronaImage. Every case renders as a single line that a
// command-line tool can print as is, starting with the file's name where there is one:
//   photo.jpg: not a PNG or JPEG file
//   scan.png: truncated PNG data
//   huge.png: 200000×200000 pixels exceeds the limit of 100 megapixels
import Foundation

/// Everything that can go wrong reading, writing or transforming an image.
public enum ImageError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
  /// The bytes are neither PNG nor JPEG (judged by their content, not the file name).
  case notAnImage(name: String)
  /// The file or byte array is empty.
  case empty(name: String)
  /// The data ends before the image does.
  case truncated(name: String, format: ImageFormat)
  /// The data is malformed; `detail` is the codec's own words.
  case corrupt(name: String, format: ImageFormat, detail: String)
  /// A valid file this build cannot decode (a 12-bit JPEG, say).
  case unsupported(name: String, format: ImageFormat, detail: String)
  /// The header claims more pixels than the caller allows; nothing was allocated.
  case tooLarge(name: String, width: Int, height: Int, limit: Int)
  /// The file could not be read (missing, unreadable, a directory …).
  case readFailed(path: String, reason: String)
  /// The file could not be written; no partial file is left behind.
  case writeFailed(path: String, reason: String)
  /// The output exists and the caller did not ask to overwrite it.
  case fileExists(path: String)
  /// A caller passed sizes, channels or parameters that make no sense.
  case invalidArgument(String)

  /// The one-line message.
  public var message: String {
    switch self {
    case .notAnImage(let name): return "\(name): not a PNG or JPEG file"
    case .empty(let name): return "\(name): empty file"
    case .truncated(let name, let format): return "\(name): truncated \(format) data"
    case .corrupt(let name, let format, let detail):
      return "\(name): corrupt \(format) data (\(detail))"
    case .unsupported(let name, let format, let detail):
      return "\(name): unsupported \(format) file (\(detail))"
    case .tooLarge(let name, let width, let height, let limit):
      return "\(name): \(width)×\(height) pixels exceeds the limit of \(ImageError.pixels(limit))"
    case .readFailed(let path, let reason): return "\(path): cannot read (\(reason))"
    case .writeFailed(let path, let reason): return "\(path): cannot write (\(reason))"
    case .fileExists(let path): return "\(path): already exists (not overwritten)"
    case .invalidArgument(let text): return text
    }
  }

  /// Same as `message`.
  public var description: String { message }
  /// Same as `message`, for code that prints `localizedDescription`.
  public var errorDescription: String? { message }

  /// "100 megapixels", "2.5 megapixels" or "4096 pixels".
  static func pixels(_ count: Int) -> String {
    if count >= 1_000_000 {
      if count % 1_000_000 == 0 { return "\(count / 1_000_000) megapixels" }
      if count % 100_000 == 0 { return "\(Double(count) / 1e6) megapixels" }
    }
    return "\(count) pixels"
  }
}
