// A small blocking HTTP/1.1 client over POSIX sockets, for end-to-end tests of the servers:
// it can send exactly the bytes a test wants (a lying Content-Length, half a request, a
// stalled connection), which a library client would refuse or hide. Every read has a
// timeout, so a test fails instead of hanging; writes never raise SIGPIPE.
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// One answer read from a server.
public struct HTTPReply: Sendable {
  /// The status code.
  public var status: Int
  /// Header names lowercased.
  public var headers: [String: String]
  /// The body (by Content-Length, or to the end of the connection).
  public var body: [UInt8]

  /// The body as text.
  public var text: String { String(decoding: body, as: UTF8.self) }
}

/// A test's failure to talk to the server.
public struct HTTPTestError: Error, CustomStringConvertible {
  public var description: String
  public init(_ description: String) { self.description = description }
}

/// One TCP connection to a server on 127.0.0.1.
public final class HTTPTestConnection {
  private let socketDescriptor: Int32
  private var buffered: [UInt8] = []

  /// Connects; reads give up after `readTimeout` seconds of silence.
  public init(port: Int, readTimeout: Double = 120) throws {
    socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socketDescriptor >= 0 else { throw HTTPTestError("socket() failed") }
    var timeout = timeval(
      tv_sec: Int(readTimeout), tv_usec: Int((readTimeout - readTimeout.rounded(.down)) * 1e6))
    setsockopt(
      socketDescriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard connected == 0 else {
      close(socketDescriptor)
      throw HTTPTestError("cannot connect to port \(port): \(String(cString: strerror(errno)))")
    }
  }

  deinit { close(socketDescriptor) }

  /// Sends all of `bytes`; false when the server has closed the connection.
  @discardableResult
  public func send(_ bytes: [UInt8]) -> Bool {
    var sent = 0
    while sent < bytes.count {
      let n = bytes.withUnsafeBytes {
        Glibc.send(
          socketDescriptor, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL))
      }
      if n < 0 && errno == EINTR { continue }
      guard n > 0 else { return false }
      sent += n
    }
    return true
  }

  /// Sends `text` as UTF-8.
  @discardableResult
  public func send(_ text: String) -> Bool { send(Array(text.utf8)) }

  /// More bytes from the server: empty at the end of the connection.
  /// - Throws: when nothing came within the read timeout.
  private func receive() throws -> [UInt8] {
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
      let n = chunk.withUnsafeMutableBytes { recv(socketDescriptor, $0.baseAddress, $0.count, 0) }
      if n < 0 && errno == EINTR { continue }
      if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
        throw HTTPTestError("no answer within the read timeout")
      }
      if n < 0 && errno == ECONNRESET { return [] }
      guard n >= 0 else { throw HTTPTestError("recv: \(String(cString: strerror(errno)))") }
      return Array(chunk[0..<n])
    }
  }

  /// Waits for the server to close the connection (reading and dropping what it sends).
  /// - Returns: whether it closed within the read timeout.
  public func waitForClose() -> Bool {
    buffered = []
    while true {
      guard let bytes = try? receive() else { return false }
      if bytes.isEmpty { return true }
    }
  }

  /// Reads one final answer (skipping `100 Continue`).
  public func readReply() throws -> HTTPReply {
    while true {
      let headerEnd = Array("\r\n\r\n".utf8)
      var end: Int? = nil
      while end == nil {
        end = buffered.firstRange(of: headerEnd)?.upperBound
        if end != nil { break }
        let more = try receive()
        guard !more.isEmpty else {
          throw HTTPTestError("the connection closed before an answer (\(buffered.count) bytes)")
        }
        buffered += more
      }
      let headerText = String(decoding: buffered[0..<end!], as: UTF8.self)
      buffered.removeFirst(end!)
      let lines = headerText.components(separatedBy: "\r\n").filter { !$0.isEmpty }
      let statusParts = lines.first?.split(separator: " ") ?? []
      guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
        throw HTTPTestError("not an HTTP status line: \(lines.first ?? "")")
      }
      var headers: [String: String] = [:]
      for line in lines.dropFirst() {
        guard let colon = line.firstIndex(of: ":") else { continue }
        headers[line[..<colon].lowercased()] = line[line.index(after: colon)...]
          .trimmingCharacters(in: .whitespaces)
      }
      if status == 100 { continue }
      var body: [UInt8]
      if let length = headers["content-length"].flatMap({ Int($0) }) {
        while buffered.count < length {
          let more = try receive()
          guard !more.isEmpty else { throw HTTPTestError("the body ended early") }
          buffered += more
        }
        body = Array(buffered[0..<length])
        buffered.removeFirst(length)
      } else {
        body = buffered
        while true {
          let more = try receive()
          if more.isEmpty { break }
          body += more
        }
        buffered = []
      }
      return HTTPReply(status: status, headers: headers, body: body)
    }
  }
}

/// One request on a new connection, its answer read whole.
/// - Parameters:
///   - port: the server's port on 127.0.0.1.
///   - method: `GET`, `POST`, …
///   - target: the path and query.
///   - headers: sent as given, after `Host`, `Content-Length` and `Connection: close`.
///   - body: the request body.
/// - Returns: the server's final answer.
/// - Throws: `HTTPTestError` when the server cannot be reached or answers nothing in time.
public func httpRequest(
  port: Int, _ method: String, _ target: String, headers: [(String, String)] = [],
  body: [UInt8] = []
) throws -> HTTPReply {
  let connection = try HTTPTestConnection(port: port)
  var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
  if method != "GET" || !body.isEmpty { head += "Content-Length: \(body.count)\r\n" }
  for (name, value) in headers { head += "\(name): \(value)\r\n" }
  connection.send(Array((head + "\r\n").utf8) + body)
  return try connection.readReply()
}

/// `file`'s bytes as the `file` field of a multipart form: (body, Content-Type).
public func multipartForm(file: [UInt8], fileName: String, fieldName: String = "file")
  -> (body: [UInt8], contentType: String)
{
  let boundary = "neurona-test-\(UInt32.random(in: 0...UInt32.max))"
  let head =
    "--\(boundary)\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n"
    + "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(fieldName)\"; "
    + "filename=\"\(fileName)\"\r\nContent-Type: application/octet-stream\r\n\r\n"
  let body = Array(head.utf8) + file + Array("\r\n--\(boundary)--\r\n".utf8)
  return (body, "multipart/form-data; boundary=\(boundary)")
}

/// Runs `body(i)` for `i` in `0..<count`, each on its own thread, all at once (unlike
/// `DispatchQueue.concurrentPerform`, which runs no more at a time than there are cores), and
/// returns when all are done: `count` truly concurrent clients.
public func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
  let group = DispatchGroup()
  for i in 0..<count {
    group.enter()
    Thread {
      body(i)
      group.leave()
    }.start()
  }
  group.wait()
}
