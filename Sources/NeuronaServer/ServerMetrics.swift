// What `GET /metrics` reports, in Prometheus's text format (version 0.0.4): requests by
// endpoint and status, a latency histogram per endpoint, requests in flight, the inference
// queue's length, and pictures processed (a counter, and the rate over the last 10 s for a
// glance without a Prometheus server). Kept by hand: a few counters under one lock.
import Foundation

/// The server's counters, safe to update from any thread.
final class ServerMetrics: @unchecked Sendable {
  /// Upper bounds (seconds) of the latency histogram's buckets.
  static let bucketBounds: [Double] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
  ]
  /// The window of the images-per-second gauge.
  static let rateWindowSeconds = 10.0

  private struct Latency {
    var buckets = [Int](repeating: 0, count: ServerMetrics.bucketBounds.count)
    var sum = 0.0
    var count = 0
  }

  private let lock = NSLock()
  private var requests: [String: [UInt: Int]] = [:]
  private var latencies: [String: Latency] = [:]
  private var inFlight = 0
  private var images = 0
  /// Completion times (seconds since start) of the pictures of the last window.
  private var recentImages: [Double] = []
  private let started = DispatchTime.now().uptimeNanoseconds

  /// A request has arrived (its head is read).
  func requestStarted() { lock.withLock { inFlight += 1 } }

  /// A request was answered with `status` after `seconds`.
  func requestFinished(endpoint: String, status: UInt, seconds: Double) {
    lock.withLock {
      inFlight -= 1
      requests[endpoint, default: [:]][status, default: 0] += 1
      var latency = latencies[endpoint] ?? Latency()
      for (i, bound) in Self.bucketBounds.enumerated() where seconds <= bound {
        latency.buckets[i] += 1
      }
      latency.sum += seconds
      latency.count += 1
      latencies[endpoint] = latency
    }
  }

  /// The model has processed one picture.
  func imageProcessed() {
    let now = uptime
    lock.withLock {
      images += 1
      recentImages.append(now)
      pruneRecent(now)
    }
  }

  /// Requests whose answer is not yet written.
  var requestsInFlight: Int { lock.withLock { inFlight } }

  private var uptime: Double { Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9 }

  private func pruneRecent(_ now: Double) {
    let cut = recentImages.firstIndex { $0 > now - Self.rateWindowSeconds } ?? recentImages.count
    if cut > 0 { recentImages.removeFirst(cut) }
  }

  /// The exposition text; `waiting` is the inference queue's length, `uploadBytes` the
  /// upload bytes held in memory.
  func exposition(waiting: Int, uploadBytes: Int) -> String {
    let now = uptime
    return lock.withLock {
      pruneRecent(now)
      var lines: [String] = []
      func family(_ name: String, _ type: String, _ help: String) {
        lines.append("# HELP \(name) \(help)")
        lines.append("# TYPE \(name) \(type)")
      }
      family("neurona_http_requests_total", "counter", "HTTP requests answered.")
      for endpoint in requests.keys.sorted() {
        for (status, count) in (requests[endpoint] ?? [:]).sorted(by: { $0.key < $1.key }) {
          lines.append(
            "neurona_http_requests_total{endpoint=\"\(endpoint)\",status=\"\(status)\"} \(count)")
        }
      }
      let latency = "neurona_http_request_duration_seconds"
      family(latency, "histogram", "Seconds from a request's first line to its answer.")
      for endpoint in latencies.keys.sorted() {
        guard let value = latencies[endpoint] else { continue }
        let label = "endpoint=\"\(endpoint)\""
        for (bound, count) in zip(Self.bucketBounds, value.buckets) {
          lines.append("\(latency)_bucket{\(label),le=\"\(bound)\"} \(count)")
        }
        lines.append("\(latency)_bucket{\(label),le=\"+Inf\"} \(value.count)")
        lines.append("\(latency)_sum{\(label)} \(value.sum)")
        lines.append("\(latency)_count{\(label)} \(value.count)")
      }
      family("neurona_http_requests_in_flight", "gauge", "Requests read but not yet answered.")
      lines.append("neurona_http_requests_in_flight \(inFlight)")
      family("neurona_inference_queue_waiting", "gauge", "Requests waiting for the model.")
      lines.append("neurona_inference_queue_waiting \(waiting)")
      family("neurona_upload_bytes_held", "gauge", "Bytes of uploads held in memory.")
      lines.append("neurona_upload_bytes_held \(uploadBytes)")
      family("neurona_images_total", "counter", "Pictures the model has processed.")
      lines.append("neurona_images_total \(images)")
      family(
        "neurona_images_per_second", "gauge", "Pictures processed per second over the last 10 s.")
      let window = min(Self.rateWindowSeconds, max(now, 1e-3))
      lines.append(
        "neurona_images_per_second \(String(format: "%.3f", Double(recentImages.count) / window))")
      return lines.joined(separator: "\n") + "\n"
    }
  }
}
