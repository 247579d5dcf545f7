// One HTTP/1.1 connection: reads a request, routes it, answers it, and enforces the limits
// that protect the server: a body over the limit is refused from its Content-Length (or as
// soon as it grows past the limit) without being read; a connection that idles or sends
// too slowly is closed; a request that waits or computes past the timeout gets 504.
// Everything here runs on the connection's event loop; only the model's work runs on the
// inference thread, and its answer comes back through the event loop.
import Foundation
import NIOCore
import NIOHTTP1

/// The handler of one connection, after NIO's HTTP decoder and pipelining handler.
final class HTTPConnectionHandler: ChannelInboundHandler {
  typealias InboundIn = HTTPServerRequestPart
  typealias OutboundOut = HTTPServerResponsePart

  /// Where the connection is in its current request.
  private enum State {
    /// Between requests.
    case idle
    /// Reading a request's body.
    case receiving(Request)
    /// Answered before the body ended (413, 400): the rest is dropped, then the connection
    /// closes.
    case discarding
    /// The request is whole and its answer is being computed.
    case answering(Request)
  }

  /// A request being read or answered.
  private struct Request {
    var head: HTTPRequestHead
    var route: Route
    var started: UInt64
    var body: ByteBuffer
    /// The query of POST /v1/<task>, checked; nil for the other routes.
    var query: [String: String]?
    /// Bytes of the body counted in the server's upload memory (ServiceContext.holdUpload).
    var held = 0
    /// Bumped per request, so a late answer or timeout for an earlier one is ignored.
    var number: Int
  }

  private let service: ServiceContext
  private var state = State.idle
  private var readTimer: Scheduled<Void>?
  private var answerTimer: Scheduled<Void>?
  private var ticket: InferenceQueue.Ticket?
  private var requestNumber = 0

  init(service: ServiceContext) { self.service = service }

  func channelActive(context: ChannelHandlerContext) {
    armReadTimer(context: context)
    context.fireChannelActive()
  }

  func channelInactive(context: ChannelHandlerContext) {
    readTimer?.cancel()
    answerTimer?.cancel()
    // A client that left no longer needs its picture computed.
    ticket?.cancel()
    if case .answering(let request) = state {
      // Counted as answered (499, as nginx logs a client that closed first).
      finishMetrics(request, status: 499)
      service.releaseUpload(request.held)
    } else if case .receiving(let request) = state {
      finishMetrics(request, status: 499)
      service.releaseUpload(request.held)
    }
    state = .idle
    context.fireChannelInactive()
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    switch unwrapInboundIn(data) {
    case .head(let head): receiveHead(head, context: context)
    case .body(var chunk):
      // Only an upload's body is kept; the other endpoints read none.
      guard case .receiving(var request) = state, request.query != nil else { return }
      if request.body.readableBytes + chunk.readableBytes > service.configuration.maxBodyBytes {
        refuse(request, .error(.payloadTooLarge, tooLargeMessage), context: context)
        return
      }
      guard service.holdUpload(chunk.readableBytes) else {
        refuse(request, busy("too many uploads are being received at once"), context: context)
        return
      }
      request.held += chunk.readableBytes
      state = .idle  // (lets `request.body` grow without a copy)
      request.body.writeBuffer(&chunk)
      state = .receiving(request)
    case .end:
      guard case .receiving(let request) = state else {
        if case .discarding = state {
          // The client did send everything: stop the lingering and close.
          context.close(promise: nil)
        }
        return
      }
      readTimer?.cancel()
      dispatch(request, context: context)
    }
  }

  func errorCaught(context: ChannelHandlerContext, error: Error) {
    // Malformed HTTP is answered 400 by NIO's error handler before this; anything else ends
    // the connection, never the server.
    context.close(promise: nil)
  }

  // MARK: - Reading

  private var tooLargeMessage: String {
    "the request body is over the limit of \(service.configuration.maxBodyBytes >> 20) MB "
      + "(--max-body-mb)"
  }

  private func receiveHead(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
    guard case .idle = state else { return }
    requestNumber += 1
    service.metrics.requestStarted()
    var request = Request(
      head: head, route: Route(head, task: service.endpoint.task),
      started: DispatchTime.now().uptimeNanoseconds, body: ByteBuffer(), query: nil,
      number: requestNumber)
    let declared = head.headers.first(name: "content-length").flatMap { Int($0) }
    if let declared, declared > service.configuration.maxBodyBytes {
      refuse(request, .error(.payloadTooLarge, tooLargeMessage), context: context)
      return
    }
    if case .infer(let query) = request.route {
      do {
        // Checked here, so a bad parameter is answered before the body is read.
        _ = try service.endpoint.prepare(query: query)
        request.query = query
      } catch {
        refuse(request, HTTPFailure.answer(for: error), context: context)
        return
      }
      request.body = context.channel.allocator.buffer(capacity: min(declared ?? 0, 1 << 26))
      if head.headers.first(name: "expect")?.lowercased() == "100-continue" {
        context.writeAndFlush(
          wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .continue))),
          promise: nil)
      }
    }
    state = .receiving(request)
  }

  /// Answers before the body is read, then drops what still comes and closes.
  private func refuse(_ request: Request, _ answer: HTTPAnswer, context: ChannelHandlerContext) {
    state = .discarding
    write(answer, for: request, close: true, context: context)
  }

  // MARK: - Answering

  private func dispatch(_ request: Request, context: ChannelHandlerContext) {
    guard let query = request.query else {
      state = .answering(request)
      write(route(request), for: request, close: false, context: context)
      return
    }
    let picture: ByteBuffer
    do {
      picture = try UploadBody.picture(
        in: request.body, contentType: request.head.headers.first(name: "content-type"))
    } catch {
      state = .answering(request)
      write(HTTPFailure.answer(for: error), for: request, close: false, context: context)
      return
    }
    state = .answering(request)
    let loop = context.eventLoop
    let bound = NIOLoopBound((self, context), eventLoop: loop)
    let number = request.number
    let metrics = service.metrics
    let submitted = service.queue.submit { endpoint in
      let answer: HTTPAnswer
      do {
        let work = try endpoint.prepare(query: query)
        answer = try picture.withUnsafeReadableBytes {
          try work($0.bindMemory(to: UInt8.self))
        }
        metrics.imageProcessed()
      } catch {
        answer = HTTPFailure.answer(for: error)
      }
      loop.execute {
        let (handler, context) = bound.value
        handler.deliver(answer, number: number, context: context)
      }
    }
    guard let submitted else {
      write(
        busy("more than \(service.configuration.queueLimit) requests are waiting (--queue)"),
        for: request, close: false, context: context)
      return
    }
    ticket = submitted
    let timeout = service.configuration.timeout
    answerTimer = loop.scheduleTask(in: .nanoseconds(Int64(timeout * 1e9))) {
      let (handler, context) = bound.value
      handler.ticket?.cancel()
      handler.deliver(
        .error(
          .gatewayTimeout,
          "no answer within \(timeout) s (--timeout); the server is busy "
            + "or the picture is too large for it"),
        number: number, context: context)
    }
  }

  /// The answer computed for request `number`, if that request is still waiting for one.
  private func deliver(_ answer: HTTPAnswer, number: Int, context: ChannelHandlerContext) {
    guard case .answering(let request) = state, request.number == number else { return }
    answerTimer?.cancel()
    ticket = nil
    write(answer, for: request, close: false, context: context)
  }

  /// 503 with `Retry-After`: the server is full, not the request wrong.
  private func busy(_ reason: String) -> HTTPAnswer {
    var answer = HTTPAnswer.error(.serviceUnavailable, reason + "; retry later")
    answer.headers.append(("Retry-After", "\(service.queue.suggestedRetrySeconds)"))
    return answer
  }

  /// The answer of a request that needs no model.
  private func route(_ request: Request) -> HTTPAnswer {
    switch request.route {
    case .page: return service.page
    case .health: return .json(["status": "ok"])
    case .metrics:
      return HTTPAnswer(
        contentType: "text/plain; version=0.0.4; charset=utf-8",
        body: Array(
          service.metrics.exposition(
            waiting: service.queue.waiting, uploadBytes: service.uploadBytesHeld
          ).utf8))
    case .models: return service.endpoint.modelDescription
    case .infer: return .error(.internalServerError, "no work for this request")
    case .badTarget: return .error(.badRequest, "the request target is not a valid path")
    case .notFound(let path): return .error(.notFound, "\(path): no such endpoint")
    case .methodNotAllowed(let allowed):
      var answer = HTTPAnswer.error(
        .methodNotAllowed, "\(request.head.method) is not allowed here (only \(allowed))")
      answer.headers.append(("Allow", allowed))
      return answer
    }
  }

  private func write(
    _ answer: HTTPAnswer, for request: Request, close: Bool, context: ChannelHandlerContext
  ) {
    let keepAlive = !close && request.head.isKeepAlive && !service.draining
    var headers = HTTPHeaders()
    headers.add(name: "Content-Type", value: answer.contentType)
    headers.add(name: "Content-Length", value: "\(answer.body.count)")
    headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
    headers.add(name: "Cache-Control", value: "no-store")
    for (name, value) in answer.headers { headers.add(name: name, value: value) }
    let status = answer.status
    finishMetrics(request, status: status.code)
    service.releaseUpload(request.held)
    if service.configuration.logRequests {
      let milliseconds = Double(DispatchTime.now().uptimeNanoseconds - request.started) / 1e6
      let line = String(
        format: "%@ %@ %d %.1f ms\n", "\(request.head.method)", request.head.uri, Int(status.code),
        milliseconds)
      FileHandle.standardError.write(Data(line.utf8))
    }
    if case .discarding = state {} else { state = .idle }
    context.write(
      wrapOutboundOut(
        .head(HTTPResponseHead(version: request.head.version, status: status, headers: headers))),
      promise: nil)
    if request.head.method != .HEAD {
      context.write(
        wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: answer.body)))),
        promise: nil)
    }
    let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
    if keepAlive {
      armReadTimer(context: context)
      return
    }
    let channel = context.channel
    if case .discarding = state {
      // Lingering close: stop writing, drop what the client still sends for a moment so it
      // reads the answer instead of a reset, then close.
      written.whenComplete { _ in
        channel.close(mode: .output, promise: nil)
        channel.eventLoop.scheduleTask(in: .seconds(2)) { channel.close(promise: nil) }
      }
    } else {
      written.whenComplete { _ in channel.close(promise: nil) }
    }
  }

  private func finishMetrics(_ request: Request, status: UInt) {
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - request.started) / 1e9
    service.metrics.requestFinished(
      endpoint: request.route.metricsLabel(task: service.endpoint.task), status: status,
      seconds: seconds)
  }

  // MARK: - Timers

  /// Closes the connection unless a whole request arrives within `--read-timeout`.
  private func armReadTimer(context: ChannelHandlerContext) {
    readTimer?.cancel()
    let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
    readTimer = context.eventLoop.scheduleTask(
      in: .nanoseconds(Int64(service.configuration.readTimeout * 1e9))
    ) {
      let (handler, context) = bound.value
      switch handler.state {
      case .idle: context.close(promise: nil)
      case .receiving(let request):
        handler.refuse(
          request,
          .error(
            .requestTimeout,
            "the request was not received within \(handler.service.configuration.readTimeout) s"),
          context: context)
      case .discarding, .answering: break
      }
    }
  }
}
