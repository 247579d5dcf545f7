// `segment serve` against bad uploads and bad clients: every refusal is a JSON error with the
// status that says why (400 not a picture, 413 too large — answered from the header, before
// the body is read —, 422 too many pixels, 503 queue or upload memory full, 504 too slow,
// 408 or a closed connection for stalled clients), and the server goes on answering good
// requests; SIGTERM lets a request in flight finish.
import Foundation
import NeuronaImage
import NeuronaTestSupport
import Testing

/// A PNG whose header claims `width`×`height` RGB pixels and that holds none: a decoder that
/// believed it would allocate width × height × 3 bytes.
private func pixelBomb(width: UInt32, height: UInt32) -> [UInt8] {
  func bigEndian(_ value: UInt32) -> [UInt8] {
    (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) }
  }
  func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
    let body = Array(type.utf8) + data
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in body {
      crc ^= UInt32(byte)
      for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return bigEndian(UInt32(data.count)) + body + bigEndian(~crc)
  }
  let header = bigEndian(width) + bigEndian(height) + [8, 2, 0, 0, 0]
  return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", header)
    + chunk("IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]) + chunk("IEND", [])
}

/// A 2400×2400 PNG (a smooth gradient: small to send, slow enough to decode and cut out).
private func largePicture() throws -> [UInt8] {
  let side = 2400
  var pixels = [UInt8](repeating: 0, count: side * side * 3)
  for y in 0..<side {
    for x in 0..<side {
      let i = (y * side + x) * 3
      pixels[i] = UInt8(x * 255 / side)
      pixels[i + 1] = UInt8(y * 255 / side)
      pixels[i + 2] = 128
    }
  }
  return try Image(width: side, height: side, channels: 3, pixels: pixels).encodePNG()
}

/// The `error` text of a JSON error answer.
private func errorText(_ reply: HTTPReply) -> String {
  let object = try? JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: String]
  return object?["error"] ?? "(not a JSON error: \(reply.text))"
}

@Suite(.serialized) struct ServeLimitTests {
  @Test func badUploadsGetClearErrorsAndTheServerKeepsServing() throws {
    let server = try ServedProduct("segment", ["serve", "--port", "0", "--max-body-mb", "1"])
    let port = server.port
    let astronaut = try sampleBytes("astronaut.png")
    let cases: [(String, [(String, String)], [UInt8], Int, String)] = [
      ("/v1/segment", [], [], 400, "empty request body"),
      ("/v1/segment", [], Array("hello, not a picture".utf8), 400, "not a PNG or JPEG"),
      ("/v1/segment", [], Array(astronaut.prefix(astronaut.count / 2)), 400, "truncated PNG"),
      ("/v1/segment", [], pixelBomb(width: 30000, height: 30000), 422, "exceeds the limit"),
      (
        "/v1/segment", [("Content-Type", "multipart/form-data")], astronaut, 400,
        "without a boundary"
      ),
      ("/v1/segment?output=bogus", [], astronaut, 400, "output=bogus"),
      ("/v1/segment?threshold=1.5", [], astronaut, 400, "threshold=1.5"),
      ("/v1/segment?threshold=abc", [], astronaut, 400, "threshold=abc"),
    ]
    for (target, headers, body, status, message) in cases {
      let reply = try httpRequest(port: port, "POST", target, headers: headers, body: body)
      #expect(reply.status == status, "\(target) \(message): \(reply.text)")
      #expect(reply.headers["content-type"] == "application/json")
      #expect(errorText(reply).contains(message), "\(errorText(reply))")
    }
    // A form without a `file` field.
    let form = multipartForm(file: astronaut, fileName: "a.png", fieldName: "picture")
    let noFile = try httpRequest(
      port: port, "POST", "/v1/segment", headers: [("Content-Type", form.contentType)],
      body: form.body)
    #expect(noFile.status == 400)
    #expect(errorText(noFile).contains("file"))

    // Over --max-body-mb by its Content-Length: answered before a byte of the body is sent.
    for expect in [false, true] {
      let connection = try HTTPTestConnection(port: port)
      connection.send(
        "POST /v1/segment HTTP/1.1\r\nHost: x\r\nContent-Length: \(100 << 20)\r\n"
          + (expect ? "Expect: 100-continue\r\n" : "") + "\r\n")
      let reply = try connection.readReply()
      #expect(reply.status == 413)
      #expect(errorText(reply).contains("--max-body-mb"))
      #expect(connection.waitForClose())
    }
    // Over the limit while streaming (chunked, no length): refused once past it.
    let streaming = try HTTPTestConnection(port: port)
    streaming.send("POST /v1/segment HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
    let piece = [UInt8](repeating: 7, count: 256 << 10)
    for _ in 0..<6 {
      guard streaming.send(Array("40000\r\n".utf8) + piece + Array("\r\n".utf8)) else { break }
    }
    let streamed = try streaming.readReply()
    #expect(streamed.status == 413)

    // Not HTTP at all: NIO's parser answers 400 and closes.
    let garbage = try HTTPTestConnection(port: port)
    garbage.send("THIS IS NOT HTTP\r\n\r\n")
    #expect(try garbage.readReply().status == 400)

    // Still serving, and the refusals are counted by status.
    let good = try httpRequest(port: port, "POST", "/v1/segment", body: astronaut)
    #expect(good.status == 200)
    #expect(good.headers["content-type"] == "image/png")
    let metrics = try httpRequest(port: port, "GET", "/metrics").text
    for status in [400, 413, 422] {
      #expect(metrics.contains("endpoint=\"/v1/segment\",status=\"\(status)\""), "\(status)")
    }
    #expect(server.stop() == 0)
  }

  @Test func idleAndStalledConnectionsAreClosed() throws {
    let server = try ServedProduct("segment", ["serve", "--port", "0", "--read-timeout", "0.5"])
    let idle = try HTTPTestConnection(port: server.port, readTimeout: 30)
    #expect(idle.waitForClose())
    let slowHead = try HTTPTestConnection(port: server.port, readTimeout: 30)
    slowHead.send("POST /v1/segment HTTP/1.1\r\nHost: x\r\n")
    #expect(slowHead.waitForClose())
    let slowBody = try HTTPTestConnection(port: server.port, readTimeout: 30)
    slowBody.send("POST /v1/segment HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n0123456789")
    #expect(try slowBody.readReply().status == 408)
    #expect(slowBody.waitForClose())
    #expect(try httpRequest(port: server.port, "GET", "/healthz").status == 200)
    #expect(server.stop() == 0)
  }

  @Test func aFullQueueAnswers503WithRetryAfter() throws {
    // One worker and no waiting: of 8 requests completed at the same moment, the first takes
    // the worker for the time a 2400×2400 picture takes, and the others find it busy.
    let server = try ServedProduct(
      "segment", ["serve", "--port", "0", "--queue", "0", "--threads", "1"])
    let picture = try largePicture()
    let connections = try (0..<8).map { _ in try HTTPTestConnection(port: server.port) }
    for connection in connections {
      connection.send(
        "POST /v1/segment HTTP/1.1\r\nHost: x\r\nContent-Length: \(picture.count)\r\n\r\n")
      connection.send(Array(picture.dropLast()))
    }
    for connection in connections { connection.send([picture[picture.count - 1]]) }
    let replies = ReplyBox(count: 8)
    onThreads(8) { i in replies.set(i, try? connections[i].readReply()) }
    let statuses = replies.values.map { $0?.status ?? 0 }
    #expect(statuses.allSatisfy { $0 == 200 || $0 == 503 }, "\(statuses)")
    #expect(statuses.contains(200) && statuses.contains(503), "\(statuses)")
    for reply in replies.values.compactMap({ $0 }) where reply.status == 503 {
      #expect(Int(reply.headers["retry-after"] ?? "") ?? 0 >= 1)
      #expect(errorText(reply).contains("--queue"))
    }
    #expect(server.stop() == 0)
  }

  @Test func uploadsPastTheMemoryBudgetGet503() throws {
    let server = try ServedProduct(
      "segment", ["serve", "--port", "0", "--max-upload-memory-mb", "1"])
    var first: HTTPTestConnection? = try HTTPTestConnection(port: server.port)
    first?.send("POST /v1/segment HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n")
    first?.send([UInt8](repeating: 1, count: 900_000))
    #expect(try waitForMetric(server.port, "neurona_upload_bytes_held 900000"))
    let second = try httpRequest(
      port: server.port, "POST", "/v1/segment", body: [UInt8](repeating: 2, count: 200_000))
    #expect(second.status == 503)
    #expect(Int(second.headers["retry-after"] ?? "") ?? 0 >= 1)
    #expect(errorText(second).contains("too many uploads"))
    // The held bytes are given back when the client leaves.
    first = nil
    #expect(try waitForMetric(server.port, "neurona_upload_bytes_held 0"))
    let good = try httpRequest(
      port: server.port, "POST", "/v1/segment", body: try sampleBytes("astronaut.png"))
    #expect(good.status == 200)
    #expect(server.stop() == 0)
  }

  @Test func anAnswerSlowerThanTheTimeoutIs504() throws {
    let server = try ServedProduct("segment", ["serve", "--port", "0", "--timeout", "0.001"])
    let reply = try httpRequest(port: server.port, "POST", "/v1/segment", body: try largePicture())
    #expect(reply.status == 504)
    #expect(errorText(reply).contains("--timeout"))
    #expect(try httpRequest(port: server.port, "GET", "/healthz").status == 200)
    #expect(server.stop() == 0)
  }

  @Test func sigtermLetsTheRequestInFlightFinish() throws {
    let server = try ServedProduct("segment", ["serve", "--port", "0"])
    let astronaut = try sampleBytes("astronaut.png")
    let connection = try HTTPTestConnection(port: server.port)
    connection.send(
      "POST /v1/segment?output=cutout HTTP/1.1\r\nHost: x\r\nContent-Length: \(astronaut.count)\r\n\r\n"
    )
    connection.send(Array(astronaut.prefix(1000)))
    // Wait until the server has our request (in flight with the metrics request itself).
    #expect(try waitForMetric(server.port, "neurona_http_requests_in_flight 2"))
    kill(server.process.processIdentifier, SIGTERM)
    connection.send(Array(astronaut.dropFirst(1000)))
    let reply = try connection.readReply()
    #expect(reply.status == 200)
    #expect(reply.headers["connection"] == "close")
    #expect(try Image.decode(reply.body, name: "answer").channels == 4)
    #expect(server.stop() == 0)
  }
}

/// Polls `/metrics` until it has the line `line` (up to 500 times, 10 ms apart).
private func waitForMetric(_ port: Int, _ line: String) throws -> Bool {
  for _ in 0..<500 {
    let text = try httpRequest(port: port, "GET", "/metrics").text
    if text.split(separator: "\n").contains(Substring(line)) { return true }
    usleep(10_000)
  }
  return false
}

/// Replies collected by concurrent clients.
private final class ReplyBox: @unchecked Sendable {
  private let lock = NSLock()
  private var stored: [HTTPReply?]
  init(count: Int) { stored = Array(repeating: nil, count: count) }
  func set(_ index: Int, _ value: HTTPReply?) { lock.withLock { stored[index] = value } }
  var values: [HTTPReply?] { lock.withLock { stored } }
}
