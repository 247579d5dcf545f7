// An HTTP answer before it is written (status, type, bytes), and the errors every endpoint
// turns into one: always JSON `{"error": "…"}`, with the status that says whose fault it is.
import Foundation
import NIOHTTP1
import NeuronaImage
import NeuronaVision

/// A complete answer to one request.
public struct HTTPAnswer: Sendable {
  /// The status line's code.
  public var status: HTTPResponseStatus
  /// The `Content-Type` header.
  public var contentType: String
  /// The whole body.
  public var body: [UInt8]
  /// Further headers (`Retry-After`, `Allow`).
  public var headers: [(String, String)] = []

  /// An answer of `status` with `body` of `contentType`.
  public init(
    status: HTTPResponseStatus = .ok, contentType: String, body: [UInt8],
    headers: [(String, String)] = []
  ) {
    (self.status, self.contentType, self.body, self.headers) = (status, contentType, body, headers)
  }

  /// `value` as JSON (sorted keys, so answers are stable).
  public static func json<T: Encodable>(_ value: T, status: HTTPResponseStatus = .ok) -> HTTPAnswer
  {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let body = (try? encoder.encode(value)).map { [UInt8]($0) } ?? Array("{}".utf8)
    return HTTPAnswer(status: status, contentType: "application/json", body: body + [0x0A])
  }

  /// `{"error": message}` with `status`.
  public static func error(_ status: HTTPResponseStatus, _ message: String) -> HTTPAnswer {
    json(["error": message], status: status)
  }
}

/// A request the server refuses, with the status and the one-line reason the client gets.
public struct HTTPFailure: Error, Sendable {
  /// The status of the answer.
  public var status: HTTPResponseStatus
  /// The `error` text of the answer.
  public var message: String

  /// A refusal with `status` and `message`.
  public init(_ status: HTTPResponseStatus, _ message: String) {
    (self.status, self.message) = (status, message)
  }

  /// A bad request (400).
  public static func badRequest(_ message: String) -> HTTPFailure {
    HTTPFailure(.badRequest, message)
  }

  /// The answer for any error thrown while serving: the client's picture too large (422) or
  /// not a picture (400), a refusal as it says, anything else a 500 with its message.
  static func answer(for error: Error) -> HTTPAnswer {
    switch error {
    case let failure as HTTPFailure: return .error(failure.status, failure.message)
    case let image as ImageError:
      if case .tooLarge = image { return .error(.unprocessableEntity, image.message) }
      return .error(.badRequest, image.message)
    case let vision as VisionError: return .error(.badRequest, "\(vision)")
    default: return .error(.internalServerError, "\(error)")
    }
  }
}
