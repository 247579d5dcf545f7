// What every connection of one server shares: the limits, the task, the inference queue, the
// counters, the page, and whether the server is draining (answers then close their
// connection).
import Foundation
import NIOCore

/// The state shared by a server's connections.
final class ServiceContext: @unchecked Sendable {
  let configuration: ServerConfiguration
  /// The first worker's endpoint: checks queries and describes the model.
  let endpoint: ImageEndpoint
  let queue: InferenceQueue
  let metrics = ServerMetrics()
  /// `GET /`, made once.
  let page: HTTPAnswer
  private let lock = NSLock()
  private var isDraining = false
  private var heldUploadBytes = 0
  private var channels: [ObjectIdentifier: Channel] = [:]

  init(configuration: ServerConfiguration, endpoints: [ImageEndpoint]) {
    self.configuration = configuration
    endpoint = endpoints[0]
    queue = InferenceQueue(endpoints: endpoints, limit: configuration.queueLimit)
    page = HTTPAnswer(
      contentType: "text/html; charset=utf-8",
      body: Array(ServicePage.html(task: endpoint.task).utf8))
  }

  /// Whether SIGTERM has come: no new connections, and each open one closes after its answer.
  var draining: Bool {
    get { lock.withLock { isDraining } }
    set { lock.withLock { isDraining = newValue } }
  }

  /// Counts `bytes` more of upload held in memory; false (nothing counted) when that would
  /// pass `uploadMemoryBytes`.
  func holdUpload(_ bytes: Int) -> Bool {
    lock.withLock {
      guard heldUploadBytes + bytes <= configuration.uploadMemoryBytes else { return false }
      heldUploadBytes += bytes
      return true
    }
  }

  /// Stops counting `bytes` of upload (its request is answered or gone).
  func releaseUpload(_ bytes: Int) {
    lock.withLock { heldUploadBytes -= bytes }
  }

  /// Upload bytes held in memory now.
  var uploadBytesHeld: Int { lock.withLock { heldUploadBytes } }

  /// Keeps `channel` among the open connections until it closes.
  func track(_ channel: Channel) {
    let key = ObjectIdentifier(channel)
    lock.withLock { channels[key] = channel }
    channel.closeFuture.whenComplete { [weak self] _ in
      guard let self else { return }
      _ = self.lock.withLock { self.channels.removeValue(forKey: key) }
    }
  }

  /// The connections open now.
  var openChannels: [Channel] { lock.withLock { Array(channels.values) } }
}
