// Which endpoint a request line names. `GET /`, `/healthz`, `/metrics`, `/v1/models` and
// `POST /v1/<task>` (with its query); HEAD goes wherever GET does.
import Foundation
import NIOHTTP1

/// An endpoint, from a request's method and target.
enum Route {
  case page, health, metrics, models
  /// `POST /v1/<task>` with its query parameters.
  case infer([String: String])
  /// A target that is not a path.
  case badTarget
  case notFound(String)
  /// A known path asked with the wrong method; the methods it takes.
  case methodNotAllowed(String)

  init(_ head: HTTPRequestHead, task: String) {
    guard head.uri.hasPrefix("/"), let components = URLComponents(string: head.uri) else {
      self = .badTarget
      return
    }
    let path = components.path
    let read = head.method == .GET || head.method == .HEAD
    switch path {
    case "/", "/index.html": self = read ? .page : .methodNotAllowed("GET, HEAD")
    case "/healthz": self = read ? .health : .methodNotAllowed("GET, HEAD")
    case "/metrics": self = read ? .metrics : .methodNotAllowed("GET, HEAD")
    case "/v1/models": self = read ? .models : .methodNotAllowed("GET, HEAD")
    case "/v1/\(task)":
      guard head.method == .POST else {
        self = .methodNotAllowed("POST")
        return
      }
      var query: [String: String] = [:]
      for item in components.queryItems ?? [] { query[item.name] = item.value ?? "" }
      self = .infer(query)
    default: self = .notFound(path)
    }
  }

  /// The `endpoint` label of this request's metrics (unknown paths share one label, so a
  /// scanner cannot grow the metrics without bound).
  func metricsLabel(task: String) -> String {
    switch self {
    case .page: return "/"
    case .health: return "/healthz"
    case .metrics: return "/metrics"
    case .models: return "/v1/models"
    case .infer: return "/v1/\(task)"
    case .badTarget, .notFound, .methodNotAllowed: return "other"
    }
  }
}
