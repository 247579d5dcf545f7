// The options of `segment serve` and `classify serve`: the address and the limits
// (NeuronaServer.ServerConfiguration), and running the server until SIGTERM.
import ArgumentParser
import Foundation
import Neurona
import NeuronaServer
import NeuronaVision

/// Where a server listens and what it refuses.
struct ServeOptions: ParsableArguments {
  @Option(help: "The address to listen on (loopback by default; 0.0.0.0 for every interface).")
  var host = "127.0.0.1"

  @Option(help: "The TCP port; 0 lets the system choose one (printed on start).")
  var port = 8080

  @Option(name: .customLong("max-body-mb"), help: "Refuse request bodies over this many MB (413).")
  var maxBodyMB = 32

  @Option(
    name: .customLong("max-upload-memory-mb"),
    help: "Upload MB all connections together may hold in memory; past it, 503 with Retry-After."
  )
  var maxUploadMemoryMB = 1024

  @Option(help: "Requests that may wait for the model; more are answered 503 with Retry-After.")
  var queue = 64

  @Option(help: "Seconds from a request's last byte to its answer; slower ones get 504.")
  var timeout = 60.0

  @Option(
    name: .customLong("read-timeout"),
    help: "Seconds a connection may stay idle, or take to send one request, before it is closed."
  )
  var readTimeout = 30.0

  @Flag(name: .customLong("log-requests"), help: "Print one line per request on standard error.")
  var logRequests = false

  func validate() throws {
    guard (0...65535).contains(port) else { throw ValidationError("--port must be 0…65535") }
    guard maxBodyMB >= 1, maxBodyMB <= 4096 else {
      throw ValidationError("--max-body-mb must be 1…4096")
    }
    guard maxUploadMemoryMB >= 1 else {
      throw ValidationError("--max-upload-memory-mb must be at least 1")
    }
    guard queue >= 0 else { throw ValidationError("--queue must be at least 0") }
    guard timeout > 0, readTimeout > 0 else {
      throw ValidationError("--timeout and --read-timeout must be positive")
    }
  }

  /// The server configuration these options describe.
  var configuration: ServerConfiguration {
    var configuration = ServerConfiguration()
    configuration.host = host
    configuration.port = port
    configuration.maxBodyBytes = maxBodyMB << 20
    configuration.uploadMemoryBytes = maxUploadMemoryMB << 20
    configuration.queueLimit = queue
    configuration.timeout = timeout
    configuration.readTimeout = readTimeout
    configuration.logRequests = logRequests
    return configuration
  }

  /// Serves until SIGTERM with one endpoint per core (`--threads`), each made by
  /// `makeEndpoint` with its own copy of the model; the `listening on` line goes to standard
  /// output at once.
  func serve(_ makeEndpoint: () throws -> ImageEndpoint) throws {
    let endpoints = try (0..<ComputeThreads.workers).map { _ in try makeEndpoint() }
    do {
      try ImageServer(endpoints: endpoints, configuration: configuration).run { line in
        print(line)
        fflush(stdout)
      }
    } catch let error as ServerError {
      throw VisionError(error.description)
    }
  }
}
