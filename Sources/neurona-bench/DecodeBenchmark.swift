// `neurona-bench decode PATH…`: decodes every file under the given files and folders, prints one
// line per file (PATH<TAB>ok<TAB>W×H×C or PATH<TAB>error<TAB>message), then the throughput in
// images/s per format for decode alone, decode + resize to 256×256, and decode + resize with the
// JPEG DCT-scaling hint — on 1 thread and on all cores (parallel over files). Files are read
// into memory first, so only decoding is timed (as scripts/bench-decode-pillow.py does).
// Result lines: RESULT<TAB>task<TAB>format<TAB>threads<TAB>images/s, for scripts/bench-decode.sh.
// The machine is shared, so 1-thread runs also report images per CPU-second (threads "1cpu"):
// time the process actually ran, which other processes' load barely changes.
import Foundation
import NeuronaImage

/// Seconds per timed sample, and samples per figure (the median is reported).
private let sampleSeconds =
  Double(ProcessInfo.processInfo.environment["BENCH_SECONDS"] ?? "")
  ?? 0.6
private let samples = 3

func runDecode(_ paths: [String]) throws {
  guard !paths.isEmpty else { throw ImageError.invalidArgument("decode needs files or folders") }
  var files: [(path: String, bytes: [UInt8], format: ImageFormat)] = []
  for path in imageFiles(under: paths) {
    let bytes: [UInt8]
    do {
      bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
      let image = try Image.decode(bytes, name: path)
      print("\(path)\tok\t\(image.width)×\(image.height)×\(image.channels)")
    } catch {
      print("\(path)\terror\t\(error)")
      continue
    }
    if let format = ImageFormat.sniff(bytes) { files.append((path, bytes, format)) }
  }
  let cores = ProcessInfo.processInfo.activeProcessorCount
  let threadCounts = cores > 1 ? [1, cores] : [1]
  let tasks: [(String, (UnsafeBufferPointer<UInt8>) throws -> Int)] = [
    ("decode", { try Image.decode($0, name: "").pixels.count }),
    (
      "decode+resize256",
      {
        try Image.decode($0, name: "").resized(width: 256, height: 256).pixels.count
      }
    ),
    (
      "decode+resize256-draft",
      {
        try Image.decode($0, name: "", minimumSize: (256, 256)).resized(width: 256, height: 256)
          .pixels.count
      }
    ),
  ]
  print(
    "# \(files.count) files; \(cores) cores; median of \(samples) samples of ≥\(sampleSeconds) s")
  for format in [ImageFormat.png, .jpeg] {
    let group = files.filter { $0.format == format }.map(\.bytes)
    if group.isEmpty { continue }
    for (task, work) in tasks {
      for threads in threadCounts {
        let (rate, cpuRate) = try measure(group, threads: threads, work: work)
        print("RESULT\t\(task)\t\(format)\t\(threads)\t\(String(format: "%.1f", rate))")
        if threads == 1 {
          print("RESULT\t\(task)\t\(format)\t1cpu\t\(String(format: "%.1f", cpuRate))")
        }
      }
    }
  }
}

/// Images per wall-clock second and per CPU-second over `files`, processed round-robin by
/// `threads` threads (medians over the samples).
private func measure(
  _ files: [[UInt8]], threads: Int, work: @escaping (UnsafeBufferPointer<UInt8>) throws -> Int
) throws -> (Double, Double) {
  // Check before timing: every file must go through the task.
  for file in files { _ = try file.withUnsafeBufferPointer(work) }
  var rates: [Double] = []
  var cpuRates: [Double] = []
  for _ in 0..<samples {
    let cpuStart = cpuSeconds()
    let start = DispatchTime.now().uptimeNanoseconds
    var done = 0
    var seconds = 0.0
    while seconds < sampleSeconds {
      done += try runPass(files, threads: threads, work: work)
      seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
    rates.append(Double(done) / seconds)
    cpuRates.append(Double(done) / (cpuSeconds() - cpuStart))
  }
  return (rates.sorted()[samples / 2], cpuRates.sorted()[samples / 2])
}

/// User + system CPU time of the whole process so far.
private func cpuSeconds() -> Double {
  var usage = rusage()
  getrusage(RUSAGE_SELF.rawValue, &usage)
  return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
    + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

/// One pass over the files (at least `threads` images, so small folders still fill all cores);
/// returns the number of images processed.
private func runPass(
  _ files: [[UInt8]], threads: Int, work: @escaping (UnsafeBufferPointer<UInt8>) throws -> Int
) throws -> Int {
  let total = max(files.count, threads * 4)
  if threads == 1 {
    var sink = 0
    for i in 0..<total { sink &+= try files[i % files.count].withUnsafeBufferPointer(work) }
    blackHole(sink)
    return total
  }
  let lock = NSLock()
  var next = 0
  var failure: Error?
  DispatchQueue.concurrentPerform(iterations: threads) { _ in
    var sink = 0
    while true {
      lock.lock()
      let i = next
      next += 1
      lock.unlock()
      if i >= total { break }
      do { sink &+= try files[i % files.count].withUnsafeBufferPointer(work) } catch {
        lock.lock()
        failure = error
        lock.unlock()
      }
    }
    blackHole(sink)
  }
  if let failure { throw failure }
  return total
}

@inline(never) private func blackHole(_ value: Int) {
  if value == -1 { print("") }
}

/// Regular files under the paths, sorted; folders are walked recursively.
func imageFiles(under paths: [String]) -> [String] {
  var result: [String] = []
  for path in paths {
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
      result.append(path)  // reported as an error line
      continue
    }
    if !isFolder.boolValue {
      result.append(path)
      continue
    }
    let walker = FileManager.default.enumerator(atPath: path)
    var found: [String] = []
    while let relative = walker?.nextObject() as? String {
      let full = (path as NSString).appendingPathComponent(relative)
      var dir: ObjCBool = false
      if FileManager.default.fileExists(atPath: full, isDirectory: &dir), !dir.boolValue {
        found.append(full)
      }
    }
    result += found.sorted()
  }
  return result
}
