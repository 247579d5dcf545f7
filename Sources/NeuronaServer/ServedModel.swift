// The model a server was started with (`--model` and the file it resolved to), as
// `GET /v1/models` describes it together with the model file's own metadata.

/// The model a server was started with, as `GET /v1/models` describes it.
public struct ServedModel: Sendable {
  /// The name or file given to `--model`.
  public var name: String
  /// The file it was loaded from.
  public var path: String

  /// A model called `name`, loaded from `path`.
  public init(name: String, path: String) { (self.name, self.path) = (name, path) }

  /// `{"task", "model", "file", "metadata"}`.
  func answer(task: String, metadata: [String: String]) -> HTTPAnswer {
    .json(Description(task: task, model: name, file: path, metadata: metadata))
  }

  private struct Description: Encodable {
    var task: String
    var model: String
    var file: String
    var metadata: [String: String]
  }
}
