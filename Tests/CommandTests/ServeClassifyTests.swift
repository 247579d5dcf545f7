// End to end through `classify serve`: each sample picture's labels and confidences are the
// figures `classify --format json --top-k 3` prints for it, raw or as a multipart form, also
// from 16 concurrent clients;
// top_k is checked; the page and the model description name the task.
import Foundation
import NeuronaTestSupport
import Testing

/// The repository's root, from this file's path.
private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .deletingLastPathComponent().deletingLastPathComponent()

/// One label and its confidence, as both the command and the server write them.
private struct Entry: Decodable, Equatable {
  var label: String
  var confidence: Float
}

private struct CommandRecord: Decodable {
  var topK: [Entry]
  enum CodingKeys: String, CodingKey { case topK = "top_k" }
}

private struct ServerAnswer: Decodable {
  var predictions: [Entry]
}

@Test func classifyServeAnswersTheCommandsFigures() throws {
  let server = try ServedProduct("classify", ["serve", "--port", "0"])
  let pictures = ["chelsea.png", "coffee.png", "rocket.jpg", "astronaut.png"]
  var expectations: [[Entry]] = []
  for picture in pictures {
    let path = root.appendingPathComponent("SampleImages/\(picture)").path
    let command = try runProduct("classify", [path, "--format", "json", "--top-k", "3"])
    #expect(command.status == 0, "\(command.standardError)")
    let expected = try JSONDecoder().decode(
      [CommandRecord].self, from: Data(command.standardOutput.utf8))[0].topK
    expectations.append(expected)
    let bytes = try sampleBytes(picture)
    let raw = try httpRequest(port: server.port, "POST", "/v1/classify?top_k=3", body: bytes)
    #expect(raw.status == 200, "\(raw.text)")
    #expect(raw.headers["content-type"] == "application/json")
    #expect(
      try JSONDecoder().decode(ServerAnswer.self, from: Data(raw.body)).predictions == expected)
    let form = multipartForm(file: bytes, fileName: picture)
    let viaForm = try httpRequest(
      port: server.port, "POST", "/v1/classify?top_k=3",
      headers: [("Content-Type", form.contentType)], body: form.body)
    #expect(
      try JSONDecoder().decode(ServerAnswer.self, from: Data(viaForm.body)).predictions == expected)
  }
  // Concurrent clients: the requests run on the per-core workers at once, same figures.
  let bodies = try pictures.map(sampleBytes)
  let right = Matches(count: 16)
  let expected = expectations
  onThreads(16) { i in
    let reply = try? httpRequest(
      port: server.port, "POST", "/v1/classify?top_k=3", body: bodies[i % pictures.count])
    let answer = reply.flatMap { try? JSONDecoder().decode(ServerAnswer.self, from: Data($0.body)) }
    right.set(i, answer?.predictions == expected[i % pictures.count])
  }
  #expect(right.values == Array(repeating: true, count: 16))
  let one = try httpRequest(
    port: server.port, "POST", "/v1/classify", body: try sampleBytes("chelsea.png"))
  #expect(try JSONDecoder().decode(ServerAnswer.self, from: Data(one.body)).predictions.count == 1)
  let zero = try httpRequest(
    port: server.port, "POST", "/v1/classify?top_k=0", body: try sampleBytes("chelsea.png"))
  #expect(zero.status == 400)
  #expect(zero.text.contains("top_k=0"))
  let page = try httpRequest(port: server.port, "GET", "/")
  #expect(page.text.contains("data-task=\"classify\""))
  let models = try httpRequest(port: server.port, "GET", "/v1/models")
  #expect(models.text.contains("\"task\":\"classify\"") && models.text.contains("imagenet"))
  #expect(server.stop() == 0)
}

/// Verdicts of concurrent clients.
private final class Matches: @unchecked Sendable {
  private let lock = NSLock()
  private var stored: [Bool]
  init(count: Int) { stored = Array(repeating: false, count: count) }
  func set(_ index: Int, _ value: Bool) { lock.withLock { stored[index] = value } }
  var values: [Bool] { lock.withLock { stored } }
}
