// What `segment serve` and `classify serve` are told on the command line: where to listen and
// the limits that keep one client from starving the others or the machine.

/// The server's address and limits.
public struct ServerConfiguration: Sendable {
  /// The interface to bind: loopback unless the user says otherwise.
  public var host = "127.0.0.1"
  /// The TCP port; 0 lets the system choose one (printed on start).
  public var port = 8080
  /// Request bodies larger than this are refused (413) as soon as that is known.
  public var maxBodyBytes = 32 << 20
  /// Upload bytes all connections together may hold in memory; a request that would pass it
  /// gets 503 (many slow uploads at once cannot exhaust memory).
  public var uploadMemoryBytes = 1 << 30
  /// Requests that may wait for the model while it works on another; more get 503.
  public var queueLimit = 64
  /// Seconds from a request's last byte to its answer; slower ones get 504.
  public var timeout = 60.0
  /// Seconds a connection may stay idle, or take to send one whole request, before it is
  /// closed (slow or stalled senders hold a connection, never the model).
  public var readTimeout = 30.0
  /// One line per request on standard error.
  public var logRequests = false

  /// The defaults above.
  public init() {}
}
