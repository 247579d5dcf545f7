// What a served task (segmentation, classification) gives the server: its name, its model's
// description, and per request a piece of work on the uploaded picture. The server holds one
// endpoint per inference worker (InferenceQueue), each with its own copy of the model, and
// runs an endpoint's work only on its worker: models keep scratch memory and are not shared
// between threads.

/// A task served at `POST /v1/<task>`.
public protocol ImageEndpoint: AnyObject {
  /// `segment` or `classify`: the path `/v1/<task>` and the page's mode.
  var task: String { get }
  /// What `GET /v1/models` answers.
  var modelDescription: HTTPAnswer { get }
  /// Checks a request's query (`output=`, `threshold=`, `top_k=`) before its picture waits
  /// for the model, and returns the work to run on the picture's bytes.
  /// - Throws: `HTTPFailure` (400) naming the bad parameter.
  func prepare(query: [String: String]) throws -> (UnsafeBufferPointer<UInt8>) throws -> HTTPAnswer
}

extension Dictionary where Key == String, Value == String {
  /// The query parameter `name` as a number in `range`, or `fallback` when absent.
  /// - Throws: `HTTPFailure` (400) for a value that is not such a number.
  func number<T: LosslessStringConvertible & Comparable>(
    _ name: String, in range: ClosedRange<T>, default fallback: T
  ) throws -> T {
    guard let text = self[name] else { return fallback }
    guard let value = T(text), range.contains(value) else {
      throw HTTPFailure.badRequest(
        "\(name)=\(text): expected a number from \(range.lowerBound) to \(range.upperBound)")
    }
    return value
  }
}
