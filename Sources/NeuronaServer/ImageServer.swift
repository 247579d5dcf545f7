// The server's life: bind, say where it listens, serve until SIGTERM or SIGINT, then drain —
// stop accepting, let each connection finish the request it is in (its answer then closes
// it), wait for them up to the timeout, and return. Connections are SwiftNIO's (one event
// loop thread for the sockets: they need little); the model runs on the inference workers.
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// An HTTP server for one task with one loaded model.
public final class ImageServer {
  private let service: ServiceContext

  /// A server with `configuration`'s address and limits and one inference worker per
  /// endpoint (each its own copy of the model: one per core).
  public init(endpoints: [ImageEndpoint], configuration: ServerConfiguration) {
    precondition(!endpoints.isEmpty, "a server needs at least one endpoint")
    service = ServiceContext(configuration: configuration, endpoints: endpoints)
  }

  /// Serves until SIGTERM or SIGINT, then drains and returns.
  /// - Parameter announce: called once bound, with `listening on http://HOST:PORT` (the port
  ///   the system chose for port 0).
  /// - Throws: when the address cannot be bound (in use, not this machine's).
  public func run(announce: (String) -> Void) throws {
    let configuration = service.configuration
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    defer { try? group.syncShutdownGracefully() }
    let service = self.service
    let bootstrap = ServerBootstrap(group: group)
      .serverChannelOption(.backlog, value: 256)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
      .childChannelOption(.maxMessagesPerRead, value: 16)
      .childChannelInitializer { channel in
        service.track(channel)
        if service.draining { return channel.close() }
        return channel.eventLoop.makeCompletedFuture {
          try channel.pipeline.syncOperations.configureHTTPServerPipeline(
            withPipeliningAssistance: true, withErrorHandling: true)
          try channel.pipeline.syncOperations.addHandler(HTTPConnectionHandler(service: service))
        }
      }
    // Signals are taken before binding, so a SIGTERM right after the line is never lost.
    let stop = DispatchSemaphore(value: 0)
    let signals = [SIGTERM, SIGINT].map { number in
      signal(number, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
      source.setEventHandler { stop.signal() }
      source.resume()
      return source
    }
    defer { for source in signals { source.cancel() } }
    let channel: Channel
    do {
      channel = try bootstrap.bind(host: configuration.host, port: configuration.port).wait()
    } catch {
      let reason = (error as? IOError).map { String(cString: strerror($0.errnoCode)) }
      throw ServerError(
        "cannot listen on \(configuration.host):\(configuration.port) (\(reason ?? "\(error)"))")
    }
    let port = channel.localAddress?.port ?? configuration.port
    let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
    announce("listening on http://\(host):\(port)")
    stop.wait()
    drain(listener: channel)
  }

  /// Stops accepting, lets requests in flight finish, closes what is left after the grace.
  private func drain(listener: Channel) {
    service.draining = true
    try? listener.close().wait()
    // NIO's pipelining handler closes an idle connection at once and a busy one after its
    // answer.
    for channel in service.openChannels {
      channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
    }
    let grace = service.configuration.timeout + service.configuration.readTimeout
    let deadline = Date().addingTimeInterval(grace)
    while !service.openChannels.isEmpty && Date() < deadline {
      Thread.sleep(forTimeInterval: 0.02)
    }
    for channel in service.openChannels { channel.close(promise: nil) }
    service.queue.stop()
  }
}

/// Why the server could not start.
public struct ServerError: Error, CustomStringConvertible {
  /// The one-line message.
  public var description: String
  init(_ description: String) { self.description = description }
}
