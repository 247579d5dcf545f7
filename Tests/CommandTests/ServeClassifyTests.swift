// End to end through `classify serve`: each sample picture's labels and confidences are the
// figures `classify --format json --top-k 3` prints for it, raw or as a multipart form;
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
  for picture in ["chelsea.png", "coffee.png", "rocket.jpg", "astronaut.png"] {
    let path = root.appendingPathComponent("SampleImages/\(picture)").path
    let command = try runProduct("classify", [path, "--format", "json", "--top-k", "3"])
    #expect(command.status == 0, "\(command.standardError)")
    let expected = try JSONDecoder().decode(
      [CommandRecord].self, from: Data(command.standardOutput.utf8))[0].topK
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
