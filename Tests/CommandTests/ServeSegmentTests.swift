// End to end through `segment serve` started on a port the system chooses: every sample
// picture, raw and as a multipart form, in every output, answers the very pixels the
// `segment` command writes; a burst of 32 requests from 8 clients is answered whole and
// right; the other endpoints answer as documented; SIGTERM ends it with status 0.
import Foundation
import NeuronaImage
import NeuronaTestSupport
import Testing

/// The repository's root, from this file's path.
private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .deletingLastPathComponent().deletingLastPathComponent()
private let samples = ["astronaut.png", "chelsea.png", "coffee.png", "rocket.jpg"]
private let outputs = ["mask", "cutout", "overlay", "soft"]

/// The bytes of a sample picture.
func sampleBytes(_ name: String) throws -> [UInt8] {
  [UInt8](try Data(contentsOf: root.appendingPathComponent("SampleImages/\(name)")))
}

/// Whether two PNG files hold the same pixels.
func samePixels(_ a: [UInt8], _ b: [UInt8]) throws -> Bool {
  let (x, y) = (try Image.decode(a, name: "a"), try Image.decode(b, name: "b"))
  return x.width == y.width && x.height == y.height && x.channels == y.channels
    && x.pixels == y.pixels
}

/// The files `segment` writes for `picture` in every output: output name → PNG bytes.
private func commandOutputs(_ picture: String, extra: [String] = []) throws -> [String: [UInt8]] {
  let folder = try makeTemporaryFolder("serve-cli")
  let path = root.appendingPathComponent("SampleImages/\(picture)").path
  for flags in [[], ["--cutout", "--overlay", "--soft"]] {
    let result = try runProduct("segment", [path, "-o", folder, "--force"] + flags + extra)
    #expect(result.status == 0, "\(result.standardError)")
  }
  let stem = (picture as NSString).deletingPathExtension
  var files: [String: [UInt8]] = [:]
  for output in outputs {
    files[output] = [UInt8](
      try Data(contentsOf: URL(fileURLWithPath: "\(folder)/\(stem).\(output).png")))
  }
  return files
}

@Suite(.serialized) struct ServeSegmentTests {
  @Test func answersArePixelForPixelWhatTheCommandWrites() throws {
    let server = try ServedProduct("segment", ["serve", "--port", "0"])
    #expect(server.announcement == "listening on http://127.0.0.1:\(server.port)")
    for picture in samples {
      let expected = try commandOutputs(picture)
      let bytes = try sampleBytes(picture)
      for output in outputs {
        let raw = try httpRequest(
          port: server.port, "POST", "/v1/segment?output=\(output)",
          headers: [("Content-Type", "application/octet-stream")], body: bytes)
        #expect(raw.status == 200, "\(picture) \(output): \(raw.text)")
        #expect(raw.headers["content-type"] == "image/png")
        #expect(try samePixels(raw.body, expected[output] ?? []), "\(picture) \(output)")
      }
      // The same picture as a browser's form sends it; `mask` is the default output.
      let form = multipartForm(file: bytes, fileName: picture)
      let reply = try httpRequest(
        port: server.port, "POST", "/v1/segment", headers: [("Content-Type", form.contentType)],
        body: form.body)
      #expect(reply.status == 200, "\(picture) multipart: \(reply.text)")
      #expect(try samePixels(reply.body, expected["mask"] ?? []), "\(picture) multipart")
    }
    // threshold= is --threshold.
    let low = try commandOutputs("astronaut.png", extra: ["--threshold", "0.3"])
    let reply = try httpRequest(
      port: server.port, "POST", "/v1/segment?threshold=0.3&output=mask",
      body: try sampleBytes("astronaut.png"))
    #expect(reply.status == 200)
    #expect(try samePixels(reply.body, low["mask"] ?? []))
    #expect(server.stop() == 0)
  }

  @Test func aBurstOf32RequestsFrom8ClientsIsAnsweredRight() throws {
    let server = try ServedProduct("segment", ["serve", "--port", "0"])
    let expected = try samples.map { try commandOutputs($0)["cutout"] ?? [] }
    let bodies = try samples.map(sampleBytes)
    let clients = 8
    let perClient = 4
    let results = OutcomeBox(count: clients * perClient)
    onThreads(clients) { client in
      // Each client keeps one connection open for its requests (HTTP keep-alive).
      guard let connection = try? HTTPTestConnection(port: server.port) else { return }
      for n in 0..<perClient {
        let which = (client + n) % samples.count
        let body = bodies[which]
        connection.send(
          "POST /v1/segment?output=cutout HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Content-Length: \(body.count)\r\n\r\n")
        connection.send(body)
        let reply = try? connection.readReply()
        let right =
          reply?.status == 200 && ((try? samePixels(reply?.body ?? [], expected[which])) ?? false)
        results.set(client * perClient + n, right)
      }
    }
    #expect(results.values == Array(repeating: true, count: clients * perClient))
    let metrics = try httpRequest(port: server.port, "GET", "/metrics").text
    #expect(
      metrics.contains("neurona_http_requests_total{endpoint=\"/v1/segment\",status=\"200\"} 32"),
      "\(metrics)")
    #expect(metrics.contains("neurona_images_total 32"))
    #expect(server.stop() == 0)
  }

  @Test func theOtherEndpointsAnswerAsDocumented() throws {
    let server = try ServedProduct("segment", ["serve", "--port", "0"])
    let health = try httpRequest(port: server.port, "GET", "/healthz")
    #expect(health.status == 200)
    let page = try httpRequest(port: server.port, "GET", "/")
    #expect(page.status == 200)
    #expect(page.headers["content-type"]?.hasPrefix("text/html") == true)
    #expect(page.text.contains("data-task=\"segment\"") && page.text.contains("/v1/"))
    // Nothing on the page comes from another host.
    #expect(!page.text.contains("http://") && !page.text.contains("https://"))
    let models = try httpRequest(port: server.port, "GET", "/v1/models")
    #expect(models.status == 200)
    let description = try JSONSerialization.jsonObject(with: Data(models.body)) as? [String: Any]
    #expect(description?["task"] as? String == "segment")
    #expect(description?["model"] as? String == "person")
    let missing = try httpRequest(port: server.port, "GET", "/v1/nothing")
    #expect(missing.status == 404)
    #expect(missing.text.contains("\"error\""))
    let wrongMethod = try httpRequest(port: server.port, "GET", "/v1/segment")
    #expect(wrongMethod.status == 405)
    #expect(wrongMethod.headers["allow"] == "POST")
    let other = try httpRequest(port: server.port, "POST", "/v1/classify", body: [1])
    #expect(other.status == 404)
    let metrics = try httpRequest(port: server.port, "GET", "/metrics")
    #expect(metrics.status == 200)
    for name in [
      "neurona_http_requests_total{endpoint=\"/healthz\",status=\"200\"} 1",
      "neurona_http_request_duration_seconds_bucket{endpoint=\"/healthz\",le=\"+Inf\"} 1",
      "neurona_http_requests_in_flight 1", "neurona_inference_queue_waiting 0",
      "neurona_images_per_second",
    ] {
      #expect(metrics.text.contains(name), "\(name)")
    }
    #expect(server.stop() == 0)
  }
}

/// Results written by concurrent clients.
private final class OutcomeBox: @unchecked Sendable {
  private let lock = NSLock()
  private var stored: [Bool]
  init(count: Int) { stored = Array(repeating: false, count: count) }
  func set(_ index: Int, _ value: Bool) { lock.withLock { stored[index] = value } }
  var values: [Bool] { lock.withLock { stored } }
}
